package lms.rollback.gate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.audit.RunLog;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.core.Progress;
import lms.rollback.notify.MessageTemplates;
import lms.rollback.plan.Budget;

/**
 * Sends an open prompt's reminders when they fall due, and stops as soon as the prompt is closed:
 * a decision, a rejection or a timeout journals gate.closed, whoever records it (the Jenkins
 * step, another terminal), and the reminders still pending are cancelled and journaled as such.
 */
public final class GateReminders {
  /** How often the journal is read for a closing decision: a reminder never follows a decision by more. */
  public static final Duration DEFAULT_POLL = Duration.ofMillis(500);

  /** How it ended: reminders sent, reminders cancelled, and what closed the prompt (null: nothing did). */
  public record Result(int sent, int cancelled, String closedBy) {
    public Map<String, Object> asData() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("sent", sent);
      m.put("cancelled", cancelled);
      m.put("closedBy", closedBy);
      return m;
    }
  }

  private final GateNotifier notifier;
  private final Journal journal;
  private final Clock clock;
  private final Duration poll;
  private final Progress progress;

  public GateReminders(GateNotifier notifier, Journal journal, Clock clock, Duration poll, Progress progress) {
    this.notifier = notifier;
    this.journal = journal;
    this.clock = clock;
    this.poll = poll;
    this.progress = progress;
  }

  public Result run(Prompt p) {
    List<Journal.Entry> entries = RunLog.read(journal).current();
    PromptLog.Opened opened = PromptLog.open(entries, p).orElse(null);
    if (opened == null) {
      // decided before the reminders even started (a quick answer beside a slow agent): nothing to remind
      boolean wasOpened = entries.stream().anyMatch(e -> e.is(Event.GATE_OPENED) && p.matches(e.data()));
      if (wasOpened) return new Result(0, 0, "closed before the reminders started");
      throw new LmsException(ExitCode.INVALID_INPUT, "--trigger/--level: no prompt for " + p.describe() + " in " + journal.file()
          + "; 'lmsctl gate notify' opens one");
    }
    List<Instant> due = notifier.reminderTimes(opened);
    int sent = 0;
    for (int i = 0; i < due.size(); i++) {
      Instant at = due.get(i);
      if (at.isBefore(clock.instant().minus(poll))) {
        continue; // started late (a retried step): a reminder for a moment already past is not sent now
      }
      progress.say(String.format("  %s: reminder %d of %d at %s (in %s)", p.describe(), i + 1, due.size(), notifier.time().stamp(at),
          Budget.format(Duration.ofSeconds(Math.max(0, Duration.between(clock.instant(), at).toSeconds())))));
      Optional<Journal.Entry> closed = PromptLog.awaitClosed(journal, p, opened.seq(), at, poll, clock);
      if (closed.isPresent()) {
        int pending = due.size() - i;
        String by = closed.get().data().path("outcome").asText() + " by " + closed.get().data().path("by").asText();
        Map<String, Object> data = new LinkedHashMap<>(p.asData());
        data.put("pending", pending);
        data.put("closedBy", by);
        data.put("closedSeq", closed.get().seq());
        journal.append(Event.GATE_REMINDERS_CANCELLED, data);
        progress.say("  " + p.describe() + ": closed (" + by + "); " + pending + " pending reminder(s) cancelled");
        return new Result(sent, pending, by);
      }
      GateNotifier.Notice n = notifier.remind(opened);
      sent++;
      progress.say("  " + p.describe() + ": reminder sent, " + Budget.format(n.left()) + " left: "
          + String.join(", ", n.deliveries().stream().map(d -> d.channel() + " " + d.status()).toList()));
    }
    return new Result(sent, 0, null);
  }
}
