package lms.rollback.cli;

import java.util.List;
import lms.rollback.audit.Journal;
import lms.rollback.core.ExitCode;
import lms.rollback.core.Progress;
import lms.rollback.gate.GateReminders;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** An open prompt's reminders, sent as they fall due until it is decided. Help: help/gate-remind.properties. */
@Command(name = "remind", sortOptions = false, mixinStandardHelpOptions = true, resourceBundle = "lms.rollback.cli.help.gate-remind")
final class GateRemindVerb extends Verb {

  @Mixin GateOptions.PromptChoice prompt;
  @Mixin GateOptions.Delivery delivery;

  @Override
  Outcome execute(Journal journal) {
    GateReminders.Result r = new GateReminders(delivery.notifier(plan, journal), journal, journal.clock(), GateReminders.DEFAULT_POLL,
        Progress.stderr()).run(prompt.prompt());
    return new Outcome(ExitCode.OK, r.asData(), List.of(prompt.prompt().describe() + ": " + r.sent() + " reminder(s) sent"
        + (r.closedBy() == null ? "" : ", " + r.cancelled() + " cancelled: closed (" + r.closedBy() + ")")));
  }
}
