package lms.rollback.notify;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.audit.RunLog;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.core.Progress;
import lms.rollback.plan.Plan;
import lms.rollback.plan.RunbookTables;

/**
 * Sends the messages of §6.1: renders the template from the journal, delivers it on its
 * channel, retries with backoff, and journals what became of it. Never throws for a delivery
 * problem and never waits longer than its retries: a rollback is not held up by a chat server.
 */
public final class Notifier {

  public static final int DEFAULT_ATTEMPTS = 3;
  public static final Duration DEFAULT_BACKOFF = Duration.ofMillis(250);

  public enum Status { sent, failed, skipped, rendered }

  /** What became of one message. */
  public record Delivery(String message, String channel, Status status, String detail, int attempts, RenderedMessage rendered) {
    public Map<String, Object> asData() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("message", message);
      m.put("channel", channel);
      m.put("status", status.name());
      m.put("detail", detail);
      m.put("attempts", attempts);
      if (rendered.subject() != null) m.put("subject", rendered.subject());
      m.put("text", rendered.text());
      return m;
    }
  }

  private final Plan plan;
  private final Journal journal;
  private final MessageTemplates templates;
  private final Map<String, String> env;
  private final Progress progress;
  private final int attempts;
  private final Duration backoff;
  private final Clock clock;

  public Notifier(Plan plan, Journal journal, MessageTemplates templates, Map<String, String> env, Progress progress, int attempts,
      Duration backoff, Clock clock) {
    this.plan = plan;
    this.journal = journal;
    this.templates = templates;
    this.env = env;
    this.progress = progress;
    this.attempts = attempts;
    this.backoff = backoff;
    this.clock = clock;
  }

  public static Notifier defaults(Plan plan, Journal journal, Progress progress) {
    return new Notifier(plan, journal, new MessageTemplates(null), System.getenv(), progress, DEFAULT_ATTEMPTS, DEFAULT_BACKOFF, Clock.systemUTC());
  }

  public RunbookTables.Communication communication(String message) {
    return plan.communications().stream().filter(c -> c.message().equals(message)).findFirst().orElseThrow(() -> new LmsException(
        ExitCode.INVALID_INPUT, "--message: unknown message '" + message + "'; allowed: "
            + String.join(", ", plan.communications().stream().map(RunbookTables.Communication::message).toList())));
  }

  public RenderedMessage render(String message) {
    return rendering(message).message();
  }

  /** A message as rendered, and whether it is a rehearsal's (it then says so, and goes only to the rehearsal's channels). */
  private record Rendering(RenderedMessage message, boolean rehearsal) {}

  private Rendering rendering(String message) {
    RunbookTables.Communication c = communication(message);
    Map<String, String> values = MessageContext.from(plan, journal.file(), clock.instant(), c.after());
    String filled = MessageTemplates.fill(templates.load(c.template()), values);
    String rehearsal = values.get(MessageContext.REHEARSAL);
    return new Rendering(RenderedMessage.of(c.message(), c.channel(), rehearsal == null ? filled : rehearsal(filled, rehearsal)), rehearsal != null);
  }

  /** A rehearsal's message says so before anything else, in its subject and its first line: nobody must take it for an incident. */
  static String rehearsal(String filled, String what) {
    String line = "🧪 REHEARSAL — " + what + ": not a production incident, no user is affected.\n";
    if (filled.startsWith("Subject:")) {
      int nl = filled.indexOf('\n');
      String subject = filled.substring("Subject:".length(), nl < 0 ? filled.length() : nl).strip();
      return "Subject: [REHEARSAL] " + subject + "\n" + line + (nl < 0 ? "" : filled.substring(nl + 1));
    }
    return line + filled;
  }

  /** Renders and, unless {@code dryRun}, delivers; the outcome is journaled either way. */
  public Delivery send(String message, boolean dryRun) {
    Rendering rendering = rendering(message);
    RenderedMessage rendered = rendering.message();
    if (dryRun) {
      return record(new Delivery(message, rendered.channel(), Status.rendered, "dry run: not sent", 0, rendered), Event.NOTIFY_RENDERED);
    }
    return deliver(rendered, recipients(communication(message)), rendering.rehearsal());
  }

  /** A role's addresses; for {@link RunbookTables.Communication#PAGED}, those of everyone alerted for the journal's trigger, once each. */
  private List<String> recipients(RunbookTables.Communication c) {
    if (c.to() == null) return null;
    if (!c.to().equals(RunbookTables.Communication.PAGED)) return plan.roles().get(c.to()).email();
    return MessageContext.alertedRoles(plan, journal.file()).stream().flatMap(role -> plan.roles().get(role).email().stream()).distinct().toList();
  }

  /**
   * Delivers a rendered message on its channel, retried, and journaled. {@code emailTo} replaces
   * an email channel's configured recipients (a gate notice goes to the deciding role's addresses).
   * While the run in progress is a rehearsal, it goes only to the plan's rehearsal channels.
   */
  public Delivery deliver(RenderedMessage rendered, List<String> emailTo) {
    // a notice of a gate comes before its run's start: a rehearsal that ended earlier in the journal does not make it one
    RunLog.Start running = RunLog.read(journal).unfinished();
    return deliver(rendered, emailTo, running != null && running.rehearsal());
  }

  private Delivery deliver(RenderedMessage rendered, List<String> emailTo, boolean rehearsal) {
    String message = rendered.message();
    RunbookTables.Channel config = plan.channels().get(rendered.channel());
    String addressEnv = config.addressEnv();
    if (rehearsal) {
      // whatever the machine running a rehearsal has bound for production (Jenkins binds the same credentials), a
      // rehearsal never posts on the public status page nor mails stakeholders: only where the plan says it may
      addressEnv = plan.rehearsalAddressEnv(rendered.channel());
      if (addressEnv == null) {
        return record(new Delivery(message, rendered.channel(), Status.skipped, "rehearsal: the plan gives no rehearsal "
            + rendered.channel().replace('-', ' ') + " (rehearsalChannels." + rendered.channel() + ")", 0, rendered), Event.NOTIFY_SKIPPED);
      }
      emailTo = null; // a role's own addresses are production's audience too
    }
    Channel channel;
    if (config.kind() == RunbookTables.ChannelKind.webhook) {
      String address = env.get(addressEnv);
      if (address == null || address.isBlank()) {
        return record(new Delivery(message, rendered.channel(), Status.skipped, addressEnv + " is not set", 0, rendered), Event.NOTIFY_SKIPPED);
      }
      try {
        URI uri = URI.create(address.strip());
        if (uri.getScheme() == null || !uri.getScheme().startsWith("http")) throw new IllegalArgumentException("not an http(s) URL");
        channel = new WebhookChannel(uri);
      } catch (IllegalArgumentException e) {
        return record(new Delivery(message, rendered.channel(), Status.failed, addressEnv + " is not a usable URL", 0, rendered), Event.NOTIFY_FAILED);
      }
    } else {
      String recipients = emailTo != null ? String.join(",", emailTo) : env.getOrDefault(addressEnv, "");
      if (recipients.isBlank()) {
        String why = emailTo != null ? "no email address for the role in the plan" : addressEnv + " is not set";
        return record(new Delivery(message, rendered.channel(), Status.skipped, why, 0, rendered), Event.NOTIFY_SKIPPED);
      }
      String missing = EmailChannel.missing(env);
      if (missing != null) return record(new Delivery(message, rendered.channel(), Status.skipped, missing, 0, rendered), Event.NOTIFY_SKIPPED);
      channel = new EmailChannel(recipients, env);
    }
    Duration wait = backoff;
    String problem = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      try {
        channel.deliver(rendered);
        return record(new Delivery(message, rendered.channel(), Status.sent, channel.describe(), attempt, rendered), Event.NOTIFY_SENT);
      } catch (DeliveryException e) {
        problem = e.getMessage();
        if (!e.retryable() || attempt == attempts) {
          break;
        }
        progress.say(String.format("  %s on %s: attempt %d/%d failed (%s); retrying in %d ms", message, rendered.channel(), attempt, attempts,
            problem, wait.toMillis()));
        sleep(wait);
        wait = wait.multipliedBy(2);
      }
    }
    progress.say("  " + message + " on " + rendered.channel() + " NOT delivered: " + problem + " (the rollback goes on)");
    return record(new Delivery(message, rendered.channel(), Status.failed, problem, attempts, rendered), Event.NOTIFY_FAILED);
  }

  private Delivery record(Delivery d, Event type) {
    journal.append(type, d.asData());
    return d;
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
