package lms.rollback.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import lms.rollback.audit.Journal;
import lms.rollback.core.ExitCode;
import lms.rollback.core.Progress;
import lms.rollback.notify.MessageTemplates;
import lms.rollback.notify.Notifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "notify", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Send one message of the communication sequence (runbook §6.1), rendered from the journal.",
        "",
        "Messages: rollback-initiated and status-page-update (T+0), traffic-switched (T+2), rollback-verification (T+5), rollback-complete (T+8, says complete or failed), stakeholder-notification (T+10, email). The templates follow §6.2 and are editable files (resources/lms/rollback/templates, or --templates DIR); placeholders are filled from the journal.",
        "",
        "Channels: war-room and status-page are incoming webhooks (JSON POST {\"text\": …}, Slack and Teams compatible) whose URL is in $LMS_WAR_ROOM_WEBHOOK / $LMS_STATUS_PAGE_WEBHOOK; email goes over SMTP to $LMS_STAKEHOLDER_EMAILS with $LMS_SMTP_HOST, $LMS_SMTP_PORT (587), $LMS_SMTP_TLS (starttls|ssl|none), $LMS_SMTP_USER, $LMS_SMTP_PASSWORD, $LMS_SMTP_FROM. A failed send is retried with backoff and journaled; a channel with no address is journaled as skipped."},
    footerHeading = "%nExit codes:%n",
    footer = {"  0  sent, skipped (not configured) or rendered (--dry-run)", "  1  not delivered after the retries (journaled; a rollback goes on regardless)",
        "  2  unknown message", "", "Example:", "  LMS_WAR_ROOM_WEBHOOK=https://hooks.slack.com/services/… lmsctl notify --message rollback-initiated", ""})
final class NotifyCommand extends Verb {

  @Option(names = "--message", required = true, paramLabel = "ID", description = "Message of §6.1 to send, e.g. rollback-initiated.")
  String message;

  @Option(names = "--dry-run", description = "Render and print the message; send nothing.")
  boolean dryRun;

  @Option(names = "--templates", paramLabel = "DIR", description = "Directory of template files overriding the built-in ones.")
  Path templates;

  @Option(names = "--attempts", paramLabel = "N", defaultValue = "" + Notifier.DEFAULT_ATTEMPTS, description = "Delivery attempts. Default: ${DEFAULT-VALUE}.")
  int attempts;

  @Override
  Outcome execute(Journal journal) {
    Notifier notifier = new Notifier(plan.plan(), journal, new MessageTemplates(templates), System.getenv(), Progress.stderr(),
        attempts, Notifier.DEFAULT_BACKOFF, java.time.Clock.systemUTC());
    Notifier.Delivery d = notifier.send(message, dryRun);
    List<String> text = new ArrayList<>();
    text.add(d.message() + " on " + d.channel() + ": " + d.status() + (d.detail() == null ? "" : " (" + d.detail() + ")"));
    if (d.rendered().subject() != null) text.add("Subject: " + d.rendered().subject());
    text.add("");
    text.addAll(d.rendered().text().lines().toList());
    return new Outcome(d.status() == Notifier.Status.failed ? ExitCode.OTHER : ExitCode.OK, d.asData(), text);
  }
}
