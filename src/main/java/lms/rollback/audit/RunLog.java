package lms.rollback.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a journal says of its runs, read once per call: the run in progress (everything since the last run that
 * ended, so a decision recorded before its start belongs to it), that run's start — its identity for every later
 * call — its decisions, the steps it finished and its phase; and, for the history, every run with how it ended.
 * The gate, the report, readiness, the database step, follow-ups and the CLI all read runs through here.
 */
public final class RunLog {

  /** Where a run stands, from the last thing it said of itself (flagger's CanaryPhase). */
  public enum Phase {
    /** no run in this journal, or the last one ended and no other has started */
    NONE,
    STARTED, AWAITING_DECISION, DECIDED, IN_STEP, STEP_DONE, PAUSED,
    /** a step failed: the run stopped and told the war room; the same command resumes it */
    STOPPED,
    /** its driver (a Jenkins build) ended mid-way; the next call continues it */
    INTERRUPTED,
    COMPLETED, FAILED, REJECTED, REFUSED;

    public boolean ended() {
      return this == COMPLETED || this == FAILED || this == REJECTED || this == REFUSED;
    }

    public String key() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  /** A run as its {@code scenario.start} fixed it: what every later call of the run is held to. */
  public record Start(long seq, Instant at, String runId, String scenario, String environment, String trigger, String requestedBy,
      String reason, String planDigest, boolean rehearsal, String rehearsalOf, String leaseHolder, JsonNode data) {

    static Start of(Journal.Entry e) {
      JsonNode d = e.data();
      return new Start(e.seq(), e.ts(), d.path("runId").asText(null), d.path("scenario").asText(null), d.path("environment").asText(null),
          d.path("trigger").asText(null), d.path("requestedBy").asText(null), d.path("reason").asText(null), d.path("planDigest").asText(null),
          d.path("rehearsal").asBoolean(false), d.path("rehearsalOf").asText(null), d.path("leaseHolder").asText(null), d);
    }

    /** One line naming the run for a person. */
    public String describe() {
      return "scenario " + scenario + " for " + trigger + " on '" + environment + "', requested by " + requestedBy + " (journal entry " + seq + ")";
    }
  }

  /** One run of the history: its start, and the entry that ended it (null while it has not). */
  public record Run(Start start, Journal.Entry end) {
    /** It ran through its last step (scenario.end), rather than being rejected or refused, or still being unfinished. */
    public boolean reachedItsEnd() {
      return end != null && end.is(Event.SCENARIO_END);
    }

    /** It reached its end and said it ended well. */
    public boolean completed() {
      return reachedItsEnd() && end.data().path("ok").asBoolean(false);
    }
  }

  private final List<Journal.Entry> entries;
  /** First entry of the run in progress: after the last entry that ended a run. */
  private final int currentFrom;
  /** The last scenario.start of the whole journal, or -1. */
  private final int lastStart;

  private RunLog(List<Journal.Entry> entries) {
    this.entries = List.copyOf(entries);
    int from = 0;
    int start = -1;
    for (int i = 0; i < this.entries.size(); i++) {
      Journal.Entry e = this.entries.get(i);
      Event event = e.event();
      if (event != null && Event.RUN_ENDS.contains(event)) from = i + 1;
      if (event == Event.SCENARIO_START) start = i;
    }
    this.currentFrom = from;
    this.lastStart = start;
  }

  public static RunLog read(Journal journal) {
    return new RunLog(journal.read());
  }

  public static RunLog of(List<Journal.Entry> entries) {
    return new RunLog(entries);
  }

  /** Every entry of the journal, in order. */
  public List<Journal.Entry> entries() {
    return entries;
  }

  /** The entries of the run in progress: those after the last run that ended (gate decisions before its start included). */
  public List<Journal.Entry> current() {
    return entries.subList(currentFrom, entries.size());
  }

  /** The start of the run in progress, or null when no run has started since the last one ended. */
  public Start unfinished() {
    return lastStart >= currentFrom ? Start.of(entries.get(lastStart)) : null;
  }

  /** The start of the journal's last run, ended or not, or null when it holds none. */
  public Start lastStart() {
    return lastStart < 0 ? null : Start.of(entries.get(lastStart));
  }

  /** The entries of the last run from its start on (everything after it included), or nothing when there is none. */
  public List<Journal.Entry> sinceLastStart() {
    return lastStart < 0 ? List.of() : entries.subList(lastStart, entries.size());
  }

  /** The journal's last entry of {@code event}, whichever run wrote it, or null. */
  public Journal.Entry last(Event event) {
    for (int i = entries.size() - 1; i >= 0; i--) {
      if (entries.get(i).is(event)) return entries.get(i);
    }
    return null;
  }

  /** The gate's decisions (and refusals) recorded for the run in progress. */
  public List<Journal.Entry> decisions() {
    return current().stream().filter(e -> e.is(Event.GATE_DECISION)).toList();
  }

  /** The steps of the run in progress that ended well, each with its last {@code step.end}, in the order they ended. */
  public Map<String, Journal.Entry> finishedSteps() {
    Map<String, Journal.Entry> done = new LinkedHashMap<>();
    for (Journal.Entry e : sinceUnfinished()) {
      if (e.is(Event.STEP_END) && e.data().path("ok").asBoolean()) done.put(e.data().path("action").asText(), e);
    }
    return done;
  }

  /** The last thing the run in progress said of itself, or null. */
  public Journal.Entry lastSaid() {
    List<Journal.Entry> run = sinceUnfinished();
    for (int i = run.size() - 1; i >= 0; i--) {
      Event event = run.get(i).event();
      if (event != null && Event.RUN_PROGRESS.contains(event)) return run.get(i);
    }
    return null;
  }

  /** Where the last run stands; {@link Phase#NONE} when there is none. */
  public Phase phase() {
    if (unfinished() == null) {
      if (lastStart < 0) return Phase.NONE;
      // no run in progress after a start: the entry that ended the last run is the one just before the current part
      Journal.Entry end = entries.get(currentFrom - 1);
      if (end.is(Event.SCENARIO_REJECTED)) return Phase.REJECTED;
      if (end.is(Event.SCENARIO_REFUSED)) return Phase.REFUSED;
      return end.data().path("ok").asBoolean(false) ? Phase.COMPLETED : Phase.FAILED;
    }
    Journal.Entry said = lastSaid();
    return switch (said.event()) {
      case SCENARIO_AWAITING -> Phase.AWAITING_DECISION;
      case SCENARIO_DECIDED -> Phase.DECIDED;
      case SCENARIO_PAUSED -> Phase.PAUSED;
      case SCENARIO_STOPPED -> Phase.STOPPED;
      case SCENARIO_INTERRUPTED -> Phase.INTERRUPTED;
      case STEP_START, STEP_REDO -> Phase.IN_STEP;
      case STEP_END, STEP_SKIPPED, STEP_VERIFIED -> Phase.STEP_DONE;
      default -> Phase.STARTED;
    };
  }

  /** Whether the run in progress has had its decision (the gate let it through). */
  public boolean decided() {
    return sinceUnfinished().stream().anyMatch(e -> e.is(Event.SCENARIO_DECIDED));
  }

  /** The entries of the run in progress from its start on; nothing when no run is in progress. */
  public List<Journal.Entry> sinceUnfinished() {
    return unfinished() == null ? List.of() : entries.subList(lastStart, entries.size());
  }

  /** Every run of the journal, oldest first, read one line at a time (a long watch journals tens of thousands). */
  public static List<Run> runs(Journal journal) {
    List<Run> runs = new ArrayList<>();
    var open = new Object() {
      Start start;
    };
    journal.forEach(e -> {
      if (e.is(Event.SCENARIO_START)) {
        if (open.start != null) runs.add(new Run(open.start, null));
        open.start = Start.of(e);
      } else if (open.start != null && e.event() != null && Event.RUN_ENDS.contains(e.event())) {
        runs.add(new Run(open.start, e));
        open.start = null;
      }
    });
    if (open.start != null) runs.add(new Run(open.start, null));
    return runs;
  }
}
