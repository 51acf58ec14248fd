package lms.rollback.trigger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import lms.rollback.plan.Environment;
import lms.rollback.plan.RunbookTables.Verification;
import lms.rollback.plan.Trigger;
import lms.rollback.verify.PrometheusClient;

/**
 * Decides whether a measurable trigger holds now: every sample of its "for" window, read back from
 * Prometheus with a range query, meets the condition. Reading the window from Prometheus rather
 * than remembering it means a restarted watch does not reset the clock. It measures the live
 * side, Green, as deployed; gaps in the data, or no answer, never make a trigger hold.
 */
public final class TriggerEvaluator {

  private final Verification v;
  private final PrometheusClient prometheus;
  private Instant releasedAt;
  private Baseline measured;

  private java.util.function.IntSupplier greenShare;

  public TriggerEvaluator(Verification verification, PrometheusClient prometheus) {
    this.v = verification;
    this.prometheus = prometheus;
  }

  /**
   * Green's share of the traffic in percent, as the routes say now: a query that has no number (NaN, no series)
   * while Green is sent traffic means the plan's verification.noData (AUTO-002: it answered nothing, 0 %).
   * Without it, no data is no evidence.
   */
  public TriggerEvaluator routedToGreen(java.util.function.IntSupplier share) {
    this.greenShare = share;
    return this;
  }

  /** The plan's value for a sample without a number, when Green is routed traffic; else null (no evidence). */
  private Double noData(String query, boolean[] asked, boolean[] routed) {
    Double value = v.noData().get(query);
    if (value == null || greenShare == null) return null;
    if (!asked[0]) {
      asked[0] = true;
      try {
        routed[0] = greenShare.getAsInt() > 0;
      } catch (RuntimeException e) {
        routed[0] = false; // the routes cannot be read: no data stays no evidence
      }
    }
    return routed[0] ? value : null;
  }

  /** The latency a "x baseline" trigger (MAN-002) compares with, and where it came from. */
  public record Baseline(double seconds, String source) {}

  /**
   * When Green was deployed: a "x baseline" trigger then compares with Blue's own value just before the release
   * (what users had), read from Prometheus; without it, or without that history, with the plan's number.
   */
  public TriggerEvaluator releasedAt(Instant at) {
    this.releasedAt = at;
    this.measured = null;
    return this;
  }

  /** The baseline for {@code m}, measured once per evaluator (it is history: it does not change). */
  public Baseline baseline(Trigger.Measure m, Environment env) {
    double planned = v.latencyBaseline().limit().toMillis() / 1000.0;
    if (m.aboveBaselineFactor() == null || releasedAt == null) return new Baseline(planned, "the plan's " + v.latencyBaseline().text());
    if (measured != null) return measured;
    Instant before = releasedAt.minus(Duration.ofMinutes(1));
    String blueQuery = v.query(m.query(), env.blue().host());
    try {
      var value = prometheus.instant(blueQuery, before);
      if (value.isPresent() && value.get() > 0 && !value.get().isNaN() && !value.get().isInfinite()) {
        return measured = new Baseline(value.get(), "measured: " + env.blue().host() + " at " + before + ", before the release");
      }
      return measured = new Baseline(planned, "the plan's " + v.latencyBaseline().text() + ": Prometheus has no " + m.query() + " of "
          + env.blue().host() + " before the release");
    } catch (PrometheusClient.Unanswered e) {
      // not remembered: the next round asks again
      return new Baseline(planned, "the plan's " + v.latencyBaseline().text() + ": Prometheus did not answer (" + e.getMessage() + ")");
    }
  }

  public Evaluation evaluate(Trigger t, Environment env, Instant now) {
    Trigger.Measure m = t.measure();
    String query = v.query(m.query(), env.green().host());
    Baseline b = baseline(m, env);
    double baseline = b.seconds();
    String condition = m.describe(baseline) + (m.aboveBaselineFactor() == null ? "" : " (baseline " + b.source() + ")");
    Duration window = m.sustainedFor().limit();
    Duration step = v.evaluationStep().limit();
    boolean[] asked = {false};
    boolean[] routed = {false};
    try {
      if (window.isZero()) {
        var read = prometheus.read(query, now);
        Double value = read.isPresent() && !read.get().isNaN() ? read.get() : noData(m.query(), asked, routed);
        if (value == null) return new Evaluation(t.id(), Evaluation.State.unknown, now, query, condition, 0, null, read.isEmpty() ? "no data" : "NaN");
        boolean holds = m.holds(value, baseline);
        // one reading, no window (AUTO-004 "any critical"): the evidence is that reading, named
        return new Evaluation(t.id(), holds ? Evaluation.State.holds : Evaluation.State.clear, now, query, condition, 1, value,
            read.isPresent() && !read.get().isNaN() ? m.query() + " was " + Evaluation.number(value) + " at " + now + " (a single reading: "
                + t.id() + " has no sustained window)"
                : "no number while Green is routed traffic: " + value + " (verification.noData)");
      }
      Instant start = now.minus(window);
      java.util.Map<Long, Double> byTime = new java.util.HashMap<>();
      // by step index: Prometheus' timestamps may differ from start + k * step by a millisecond of float rounding
      for (PrometheusClient.Sample s : prometheus.rangeWithNaN(query, start, now, step)) {
        byTime.put(Math.round((s.at().toEpochMilli() - start.toEpochMilli()) / (double) step.toMillis()), s.value());
      }
      long expected = window.toMillis() / step.toMillis() + 1;
      List<PrometheusClient.Sample> samples = new java.util.ArrayList<>();
      int filled = 0;
      for (long k = 0; k < expected; k++) {
        Instant at = start.plus(step.multipliedBy(k));
        Double value = byTime.get(k);
        if (value == null || value.isNaN()) {
          value = noData(m.query(), asked, routed);
          if (value == null) continue;
          filled++;
        }
        samples.add(new PrometheusClient.Sample(at, value));
      }
      if (samples.size() < expected) {
        return new Evaluation(t.id(), Evaluation.State.unknown, now, query, condition, samples.size(), last(samples),
            samples.size() + " of " + expected + " samples in the last " + window.toSeconds() + "s: not enough to call it sustained");
      }
      String noNumber = filled == 0 ? "" : " (" + filled + " without a number while Green is routed traffic, taken as " + v.noData().get(m.query())
          + ": verification.noData)";
      for (PrometheusClient.Sample s : samples) {
        if (!m.holds(s.value(), baseline)) {
          return new Evaluation(t.id(), Evaluation.State.clear, now, query, condition, samples.size(), s.value(), "not sustained: " + String.format(java.util.Locale.ROOT, "%.3f", s.value()) + " at " + s.at());
        }
      }
      double worst = samples.stream().mapToDouble(PrometheusClient.Sample::value).min().orElse(0);
      return new Evaluation(t.id(), Evaluation.State.holds, now, query, condition, samples.size(), last(samples),
          "held at all " + samples.size() + " samples (lowest " + String.format(java.util.Locale.ROOT, "%.3f", worst) + ")" + noNumber);
    } catch (PrometheusClient.Unanswered e) {
      return new Evaluation(t.id(), Evaluation.State.unknown, now, query, condition, 0, null, e.getMessage());
    }
  }

  private static Double last(List<PrometheusClient.Sample> samples) {
    return samples.isEmpty() ? null : samples.get(samples.size() - 1).value();
  }
}
