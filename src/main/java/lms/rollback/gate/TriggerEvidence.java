package lms.rollback.gate;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.audit.RunLog;

/**
 * What the engine measured of an automatic trigger in the run in progress (§2.1): the only thing that lets a rollback
 * start without a person. A trigger that is named but was not measured to hold — by {@code lmsctl watch}, or by the
 * run itself before its decision — is asked as a manual request (§2.2): naming AUTO-001 is not evidence of it.
 */
public record TriggerEvidence(String trigger, boolean holds, String detail, String at, String state) {

  /** The state of a trigger the run could not measure (no Prometheus, no measure in the plan, a failed query). */
  public static final String NOT_MEASURED = "not measured";

  /** Whether the engine got an answer: holds, clear, or unknown (Prometheus had no number); not when it could not ask. */
  public boolean measured() {
    return !NOT_MEASURED.equals(state);
  }

  /** What the deciders read: the value and whether it holds, or why it was not measured. */
  public String reading() {
    if (!measured()) return "not measured: " + detail;
    return detail + (at.isEmpty() ? "" : " at " + at) + ("holds".equals(state) || holds ? " (holds)" : "unknown".equals(state)
        ? " (Prometheus could not say)" : " (does not hold)");
  }

  public TriggerEvidence {
    // a journal written before every measurement carried its evidence may hold an empty detail: say so, never "()"
    if (detail == null || detail.isBlank() || detail.equals("null")) detail = "no measured value was journaled";
  }

  /** The last measurement of {@code trigger} among the run's entries (a dry run's is none), or null when there is none. */
  public static TriggerEvidence in(List<Journal.Entry> run, String trigger) {
    for (int i = run.size() - 1; i >= 0; i--) {
      Journal.Entry e = run.get(i);
      JsonNode d = e.data();
      if (!(e.is(Event.TRIGGER_EVALUATED) || e.is(Event.TRIGGER_FIRED)) || !trigger.equals(d.path("trigger").asText())) continue;
      if (d.path("dryRun").asBoolean(false)) continue;
      return new TriggerEvidence(trigger, "holds".equals(d.path("state").asText()), d.path("detail").asText(""), d.path("at").asText(""),
          d.path("state").asText(e.is(Event.TRIGGER_FIRED) ? "holds" : ""));
    }
    return null;
  }

  /** The last measurement of {@code trigger} in the run in progress of {@code journal}, or null when there is none. */
  public static TriggerEvidence inRunOf(Journal journal, String trigger) {
    return in(RunLog.read(journal).current(), trigger);
  }

  /** A measurement as a run keeps it (the data of {@link Event#TRIGGER_EVALUATED}). */
  public static TriggerEvidence of(java.util.Map<String, ?> measured) {
    return new TriggerEvidence(String.valueOf(measured.get("trigger")), "holds".equals(measured.get("state")), String.valueOf(measured.get("detail")),
        String.valueOf(measured.get("at")), String.valueOf(measured.get("state")));
  }

  /** One line for the gate: why no person decides, or why one must. */
  public String describe() {
    return holds ? trigger + " held when the engine measured it (" + detail + ", " + at + "): no approval needed (§2.1)"
        : trigger + " was named but the engine did not measure it to hold (" + detail + "): approved as a manual request (§2.2)";
  }
}
