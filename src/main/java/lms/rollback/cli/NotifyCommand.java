package lms.rollback.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.core.ExitCode;
import lms.rollback.core.Progress;
import lms.rollback.notify.CommunicationSchedule;
import lms.rollback.notify.MessageTemplates;
import lms.rollback.notify.Notifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "notify", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Send one message of the communication sequence (runbook §6.1), rendered from the journal.",
        "",
        "Messages: rollback-initiated and status-page-update (T+0), traffic-switched (T+2), rollback-verification (T+5), rollback-complete (T+8, says complete or failed), stakeholder-notification (T+10, email). The templates follow §6.2 and are editable files (resources/lms/rollback/templates, or --templates DIR); placeholders are filled from the journal.",
        "",
        "Channels: war-room and status-page are incoming webhooks (JSON POST {\"text\": …}, Slack and Teams compatible) whose URL is in $LMS_WAR_ROOM_WEBHOOK / $LMS_STATUS_PAGE_WEBHOOK; email goes over SMTP to $LMS_STAKEHOLDER_EMAILS with $LMS_SMTP_HOST, $LMS_SMTP_PORT (587), $LMS_SMTP_TLS (starttls|ssl|none), $LMS_SMTP_USER, $LMS_SMTP_PASSWORD, $LMS_SMTP_FROM. A failed send is retried with backoff and journaled; a channel with no address is journaled as skipped. A rehearsal's messages go only where the plan's rehearsalChannels says (the built-in plan: the war room; no status page, no mail), whatever these variables hold."},
    footerHeading = "%nExit codes:%n",
    footer = {"  0  sent, skipped (not configured) or rendered (--dry-run)", "  1  not delivered after the retries (journaled; a rollback goes on regardless)",
        "  2  unknown message", "", "Example:", "  LMS_WAR_ROOM_WEBHOOK=https://hooks.slack.com/services/… lmsctl notify --message rollback-initiated",
        "  lmsctl notify --after rehearsal-not-run --rehearsal-of full-rollback \\",
        "      --reason \"credential lms-staging-database-url missing on the timer's agent\"", ""})
final class NotifyCommand extends Verb {

  @Option(names = "--message", paramLabel = "ID", description = "Message of §6.1 to send, e.g. rollback-initiated.")
  String message;

  @Option(names = "--after", paramLabel = "EVENT",
      description = "Send every message the plan sends after this event instead of one --message: rehearsal-not-run (with --rehearsal-of and --reason) tells DevOps that a scheduled rehearsal could not start.")
  String after;

  @Option(names = "--rehearsal-of", paramLabel = "TEST", description = "With --after rehearsal-not-run: the §9.1 test that did not run (e.g. full-rollback).")
  String rehearsalOf;

  @Option(names = "--reason", paramLabel = "TEXT", description = "With --after rehearsal-not-run: why it could not start, in a sentence.")
  String reason;

  @Option(names = "--dry-run", description = "Render and print the message; send nothing.")
  boolean dryRun;

  @Option(names = "--templates", paramLabel = "DIR", description = "Directory of template files overriding the built-in ones.")
  Path templates;

  @Option(names = "--attempts", paramLabel = "N", defaultValue = "" + Notifier.DEFAULT_ATTEMPTS, description = "Delivery attempts. Default: ${DEFAULT-VALUE}.")
  int attempts;

  @Override
  Outcome execute(Journal journal) {
    if ((message == null) == (after == null)) {
      throw new lms.rollback.core.LmsException(ExitCode.INVALID_INPUT, "--message or --after: give one; allowed: a message of the plan, or the event whose messages to send");
    }
    Notifier notifier = new Notifier(plan.plan(), journal, new MessageTemplates(templates), System.getenv(), Progress.stderr(),
        attempts, Notifier.DEFAULT_BACKOFF, java.time.Clock.systemUTC());
    if (after != null && dryRun) {
      throw new lms.rollback.core.LmsException(ExitCode.INVALID_INPUT, "--dry-run: renders one --message; --after sends what is due");
    }
    if (after != null) return afterEvent(journal, notifier);
    Notifier.Delivery d = notifier.send(message, dryRun);
    List<String> text = new ArrayList<>();
    text.add(d.message() + " on " + d.channel() + ": " + d.status() + (d.detail() == null ? "" : " (" + d.detail() + ")"));
    if (d.rendered().subject() != null) text.add("Subject: " + d.rendered().subject());
    text.add("");
    text.addAll(d.rendered().text().lines().toList());
    return new Outcome(d.status() == Notifier.Status.failed ? ExitCode.OTHER : ExitCode.OK, d.asData(), text);
  }

  /** The plan's messages after {@code after}; a rehearsal that did not run is journaled first, so its messages can say which and why. */
  private Outcome afterEvent(Journal journal, Notifier notifier) {
    var p = plan.plan();
    if (!after.equals(CommunicationSchedule.REHEARSAL_NOT_RUN)) {
      throw new lms.rollback.core.LmsException(ExitCode.INVALID_INPUT, "--after: '" + after + "' is not sent on its own; allowed: "
          + CommunicationSchedule.REHEARSAL_NOT_RUN + " (a run's own events are sent by the run)");
    }
    var test = p.rehearsals().stream().filter(t -> t.test().equals(rehearsalOf)).findFirst().orElseThrow(() -> new lms.rollback.core.LmsException(
        ExitCode.INVALID_INPUT, "--rehearsal-of: " + (rehearsalOf == null ? "missing" : "unknown test '" + rehearsalOf + "'") + "; allowed: "
            + String.join(", ", p.rehearsals().stream().map(lms.rollback.plan.RunbookTables.Rehearsal::test).toList())));
    if (reason == null || reason.isBlank()) {
      throw new lms.rollback.core.LmsException(ExitCode.INVALID_INPUT, "--reason: why the rehearsal could not start, in a sentence (e.g. the credential that is missing)");
    }
    String environment = p.environments().containsKey(test.environment()) ? test.environment() : plan.environmentName();
    journal.append(Event.REHEARSAL_NOT_RUN, java.util.Map.of("test", test.test(), "title", test.title(), "frequency", test.frequency(),
        "owner", test.owner(), "environment", environment, "reason", reason.strip()));
    List<Notifier.Delivery> sent = new CommunicationSchedule(p, notifier).after(after);
    List<String> text = new ArrayList<>();
    List<Object> data = new ArrayList<>();
    boolean failed = false;
    for (Notifier.Delivery d : sent) {
      text.add(d.message() + " on " + d.channel() + ": " + d.status() + (d.detail() == null ? "" : " (" + d.detail() + ")"));
      data.add(d.asData());
      failed |= d.status() == Notifier.Status.failed;
    }
    return new Outcome(failed ? ExitCode.OTHER : ExitCode.OK, java.util.Map.of("after", after, "messages", data), text);
  }
}
