package lms.rollback.gate;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;

/** What the journal says about decision prompts: which is open since when, and when one closed. */
public final class PromptLog {
  private PromptLog() {}

  /** Who asked for the rollback and what the deciders are told about it, as gate.opened keeps it. */
  public record Request(String requestedBy, String reason, String scenario, String environment, String evidence, String link) {
    static Request from(JsonNode d) {
      return new Request(text(d, "requestedBy"), text(d, "reason"), text(d, "scenario"), text(d, "environment"), text(d, "evidence"),
          text(d, "link"));
    }
  }

  /** A prompt as gate.opened journaled it; {@code timeScale} below 1 only in the sandbox, whose minutes are seconds. */
  public record Opened(Prompt prompt, long seq, Instant at, Duration window, double timeScale, Request request) {
    public Instant deadline() {
      return at.plus(window);
    }
  }

  /** The latest opening of this prompt that no gate.closed has followed. */
  public static Optional<Opened> open(List<Journal.Entry> entries, Prompt p) {
    Opened found = null;
    for (Journal.Entry e : entries) {
      if (e.is(Event.GATE_OPENED) && p.matches(e.data())) {
        JsonNode d = e.data();
        double scale = d.path("timeScale").asDouble(1.0);
        found = new Opened(p, e.seq(), e.ts(), Duration.ofMillis(d.path("windowMillis").asLong(d.path("windowSeconds").asLong() * 1000)),
            scale > 0 ? scale : 1.0, Request.from(d));
      } else if (e.is(Event.GATE_CLOSED) && p.matches(e.data())) {
        found = null;
      }
    }
    return Optional.ofNullable(found);
  }

  /** The gate.closed of this prompt written after entry {@code seq}, if any. */
  public static Optional<Journal.Entry> closedAfter(List<Journal.Entry> entries, Prompt p, long seq) {
    return entries.stream().filter(e -> e.seq() > seq && e.is(Event.GATE_CLOSED) && p.matches(e.data())).findFirst();
  }

  /**
   * Waits until {@code until}, reading the journal every {@code poll}, and returns this prompt's
   * gate.closed as soon as one follows entry {@code seq}; empty when none came in time.
   */
  public static Optional<Journal.Entry> awaitClosed(Journal journal, Prompt p, long seq, Instant until, Duration poll, Clock clock) {
    return awaitClosed(journal, p, seq, until, poll, clock, () -> { });
  }

  /** The same, with {@code beforeEachLook} run before each look at the journal (a run waiting here takes its build's answers). */
  public static Optional<Journal.Entry> awaitClosed(Journal journal, Prompt p, long seq, Instant until, Duration poll, Clock clock,
      Runnable beforeEachLook) {
    while (true) {
      beforeEachLook.run();
      Optional<Journal.Entry> closed;
      try {
        closed = closedAfter(journal.read(), p, seq);
      } catch (LmsException e) {
        closed = Optional.empty(); // a line being written as we read: look again next time
      }
      if (closed.isPresent()) return closed;
      Duration left = Duration.between(clock.instant(), until);
      if (left.isNegative() || left.isZero()) return Optional.empty();
      try {
        Thread.sleep(Math.min(poll.toMillis(), Math.max(1, left.toMillis())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LmsException(ExitCode.OTHER, "interrupted while waiting for a decision on " + p.describe());
      }
    }
  }

  private static String text(JsonNode d, String field) {
    JsonNode n = d.path(field);
    return n.isMissingNode() || n.isNull() || n.asText().isBlank() ? null : n.asText();
  }
}
