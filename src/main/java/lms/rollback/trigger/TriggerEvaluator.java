package lms.rollback.trigger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import lms.rollback.plan.Environment;
import lms.rollback.plan.Runbook.Verification;
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

  public TriggerEvaluator(Verification verification, PrometheusClient prometheus) {
    this.v = verification;
    this.prometheus = prometheus;
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
    try {
      if (window.isZero()) {
        var value = prometheus.instant(query, now);
        if (value.isEmpty()) return new Evaluation(t.id(), Evaluation.State.unknown, now, query, condition, 0, null, "no data");
        boolean holds = m.holds(value.get(), baseline);
        return new Evaluation(t.id(), holds ? Evaluation.State.holds : Evaluation.State.clear, now, query, condition, 1, value.get(), "");
      }
      List<PrometheusClient.Sample> samples = prometheus.range(query, now.minus(window), now, step);
      long expected = window.toMillis() / step.toMillis() + 1;
      if (samples.size() < expected) {
        return new Evaluation(t.id(), Evaluation.State.unknown, now, query, condition, samples.size(), last(samples),
            samples.size() + " of " + expected + " samples in the last " + window.toSeconds() + "s: not enough to call it sustained");
      }
      for (PrometheusClient.Sample s : samples) {
        if (!m.holds(s.value(), baseline)) {
          return new Evaluation(t.id(), Evaluation.State.clear, now, query, condition, samples.size(), s.value(), "not sustained: " + s.value() + " at " + s.at());
        }
      }
      double worst = samples.stream().mapToDouble(PrometheusClient.Sample::value).min().orElse(0);
      return new Evaluation(t.id(), Evaluation.State.holds, now, query, condition, samples.size(), last(samples),
          "held at all " + samples.size() + " samples (lowest " + worst + ")");
    } catch (PrometheusClient.Unanswered e) {
      return new Evaluation(t.id(), Evaluation.State.unknown, now, query, condition, 0, null, e.getMessage());
    }
  }

  private static Double last(List<PrometheusClient.Sample> samples) {
    return samples.isEmpty() ? null : samples.get(samples.size() - 1).value();
  }
}
