package lms.rollback.testing;

import java.nio.charset.StandardCharsets;
import lms.rollback.plan.Plan;
import lms.rollback.plan.PlanLoader;

/** The built-in plan with its windows shrunk from minutes to seconds, for tests against a live Prometheus. */
public final class TestPlans {
  private TestPlans() {}

  /**
   * The built-in plan whose "Immediate" window lasts {@code immediateWindow} and whose last reminder
   * goes out {@code before} its close, as YAML: for a gate whose reminders a test can wait for.
   */
  public static String shortGateYaml(String immediateWindow, String before) {
    try (var in = PlanLoader.class.getClassLoader().getResourceAsStream(PlanLoader.DEFAULT_RESOURCE)) {
      String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      String shorter = yaml.replace("immediateWindow: 2m", "immediateWindow: " + immediateWindow).replace("{ before: 1m }", "{ before: " + before + " }");
      if (shorter.equals(yaml)) throw new IllegalStateException("the built-in plan no longer has the gate settings this test shortens");
      return shorter;
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Plan shortGate(String immediateWindow, String before) {
    return new PlanLoader().parse(shortGateYaml(immediateWindow, before).getBytes(StandardCharsets.UTF_8), "short gate test plan");
  }

  public static Plan fast() {
    return new PlanLoader().parse(fastYaml().getBytes(StandardCharsets.UTF_8), "fast test plan");
  }

  /** The built-in plan with Prometheus' scrapes, rate windows and the triggers' sustained windows in seconds, as YAML. */
  public static String fastYaml() {
    try (var in = PlanLoader.class.getClassLoader().getResourceAsStream(PlanLoader.DEFAULT_RESOURCE)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replace("rateWindow: 1m", "rateWindow: 4s")
          .replace("evaluationStep: 10s", "evaluationStep: 1s")
          .replace("scrapeInterval: 15s", "scrapeInterval: " + PrometheusServer.FAST_SCRAPE.toSeconds() + "s")
          .replace("routePropagation: 5s", "routePropagation: 500ms")
          .replace("requestTimeout: 5s", "requestTimeout: 1s")
          .replace("measure: { query: errorRatePercent, above: 5, for: 5m }", "measure: { query: errorRatePercent, above: 5, for: 12s }")
          .replace("measure: { query: successRatePercent, atMost: 0, for: 2m }", "measure: { query: successRatePercent, atMost: 0, for: 4s }")
          .replace("measure: { query: dbFailurePercent, atLeast: 100, for: 30s }", "measure: { query: dbFailurePercent, atLeast: 100, for: 3s }")
          .replace("measure: { query: errorRatePercent, above: 1, atMost: 5, for: 5m }", "measure: { query: errorRatePercent, above: 1, atMost: 5, for: 4s }")
          .replace("measure: { query: p95Seconds, aboveBaselineFactor: 2, for: 5m }", "measure: { query: p95Seconds, aboveBaselineFactor: 2, for: 4s }");
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
