package lms.rollback.cli;

import lms.rollback.audit.Journal;
import lms.rollback.core.ExitCode;
import lms.rollback.gate.ApprovalLink;
import lms.rollback.gate.GateNotifier;
import lms.rollback.gate.PromptLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** A prompt opened and its deciders told. Help: help/gate-notify.properties. */
@Command(name = "notify", sortOptions = false, mixinStandardHelpOptions = true, resourceBundle = "lms.rollback.cli.help.gate-notify")
final class GateNotifyVerb extends Verb {

  @Mixin GateOptions.PromptChoice prompt;
  @Mixin GateOptions.BuildUrl buildUrl;
  @Mixin GateOptions.Requester requester;

  @Option(names = "--reason", paramLabel = "TEXT", description = "Why the rollback is requested.")
  String reason;

  @Mixin GateOptions.Scenario scenario;

  @Option(names = "--evidence", paramLabel = "TEXT")
  String evidence;

  @Mixin GateOptions.Delivery delivery;

  @Override
  Outcome execute(Journal journal) {
    String scenario = this.scenario.scenario;
    if (scenario != null) plan.plan().scenario(scenario);
    var request = new PromptLog.Request(requester.requestedBy, reason, scenario, plan.environmentName(), evidence, ApprovalLink.of(buildUrl.buildUrl));
    GateNotifier.Notice notice = delivery.notifier(plan, journal).open(prompt.prompt(), request, 1.0);
    return new Outcome(notice.anyFailed() ? ExitCode.OTHER : ExitCode.OK, notice.asData(), notice.describe());
  }
}
