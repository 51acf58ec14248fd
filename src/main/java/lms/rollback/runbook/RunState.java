package lms.rollback.runbook;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import lms.rollback.audit.Journal;
import lms.rollback.plan.Scenario;

/**
 * What the journal says of the latest run of a scenario: whether it is unfinished (paused, waiting
 * for its decision, killed, or stopped at a failing step), whether its decision was taken, whether
 * it changed anything yet, whether its last call ended in order, and which of its steps ended well.
 * A run that ended is not resumed.
 */
public record RunState(long startSeq, JsonNode start, Map<String, StepTimer.Outcome> done, boolean decided, boolean changed, boolean orderly) {

  /** A run that ended this way is over: the same command starts a new one. */
  static final Set<String> ENDS = lms.rollback.gate.GateRun.RUN_ENDS;

  /** The unfinished run of {@code scenario} with the same environment and trigger, or null. */
  public static RunState unfinished(Journal journal, String scenario, Scenario plan, String environment, String trigger) {
    List<Journal.Entry> entries = journal.read();
    int startIndex = -1;
    for (int i = entries.size() - 1; i >= 0; i--) {
      if (entries.get(i).type().equals("scenario.start")) {
        startIndex = i;
        break;
      }
    }
    if (startIndex < 0) return null;
    JsonNode start = entries.get(startIndex).data();
    if (!scenario.equals(start.path("scenario").asText()) || !Objects.equals(environment, start.path("environment").asText(null))
        || !Objects.equals(trigger, start.path("trigger").asText(null))) {
      return null;
    }
    Map<String, StepTimer.Outcome> done = new LinkedHashMap<>();
    boolean decided = false;
    boolean changed = false;
    // orderly: the last call ended on purpose (paused, waiting for its decision); else it was killed or a step failed
    boolean orderly = false;
    for (Journal.Entry e : entries.subList(startIndex + 1, entries.size())) {
      if (ENDS.contains(e.type())) return null;
      if (e.type().startsWith("scenario.") || e.type().startsWith("step.")) {
        orderly = e.type().equals("scenario.paused") || e.type().equals("scenario.awaiting");
      }
      if (e.type().equals("scenario.decided")) decided = true;
      if (e.type().equals("step.start")) changed = true;
      if (e.type().equals("step.end") && e.data().path("ok").asBoolean()) {
        String action = e.data().path("action").asText();
        Scenario.Step step = plan.steps().stream().filter(s -> s.action().key().equals(action)).findFirst().orElse(null);
        if (step == null) continue;
        done.put(action, new StepTimer.Outcome(action, step.title(), Duration.ofMillis(e.data().path("millis").asLong()), step.budget(), true,
            e.data().path("detail").asText()));
      }
    }
    return new RunState(entries.get(startIndex).seq(), start, done, decided, changed, orderly);
  }

  public String leaseHolder() {
    return start.path("leaseHolder").asText(null);
  }
}
