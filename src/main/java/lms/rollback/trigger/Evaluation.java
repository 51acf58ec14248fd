package lms.rollback.trigger;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** One trigger at one moment: holds, clear, or unknown (Prometheus could not say), with its evidence. */
public record Evaluation(String trigger, State state, Instant at, String query, String condition, int samples, Double worst, String detail) {

  public enum State { holds, clear, unknown }

  public Evaluation {
    // the evidence is what a person reads to trust (or doubt) a rollback nobody approved: never an empty "()"
    if (detail == null || detail.isBlank()) {
      detail = worst != null ? "measured " + number(worst) + " at " + at : "nothing measured: Prometheus gave no value at " + at;
    }
  }

  /** 2 as "2", 3.25 as "3.250": a count reads as one. */
  public static String number(double value) {
    return value == Math.rint(value) && !Double.isInfinite(value) ? String.valueOf((long) value) : String.format(java.util.Locale.ROOT, "%.3f", value);
  }

  public boolean holds() {
    return state == State.holds;
  }

  public Map<String, Object> asData() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("trigger", trigger);
    m.put("state", state.name());
    m.put("at", at.toString());
    m.put("query", query);
    m.put("condition", condition);
    m.put("samples", samples);
    m.put("value", worst);
    m.put("detail", detail);
    return m;
  }
}
