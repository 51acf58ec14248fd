package lms.rollback.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import lms.rollback.plan.PlanLoader;
import lms.rollback.plan.RunbookTables;
import lms.rollback.verify.PrometheusClient;
import org.junit.jupiter.api.Test;

/**
 * #37 item 4: the sandbox's Prometheus answers the plan's queries by name, and a query it does not know with an empty
 * vector, as a real Prometheus answers a query about a series it never scraped — never with the request rate.
 */
class MetricsStandInTest {

  static final RunbookTables.Verification PLAN = new PlanLoader().loadDefault().verification();

  /** The stand-in with Green taking all the traffic (the sandbox before the switch), and ten minutes of its history. */
  static MetricsStandIn greenServing(Map<String, String> queries) throws Exception {
    return new MetricsStandIn(queries, "lms-blue", "lms-green", host -> host.equals("lms-green") ? 100 : 0);
  }

  static PrometheusClient client(MetricsStandIn m) {
    return new PrometheusClient(m.url(), Duration.ofSeconds(2));
  }

  @Test
  void aQueryItDoesNotKnowIsAnsweredWithNoSeriesNotTheRequestRate() throws Exception {
    try (MetricsStandIn m = greenServing(PLAN.queries())) {
      PrometheusClient prometheus = client(m);
      Instant now = Instant.now();

      // Green serves 40 rps: its request rate, a plan query, is there
      double requests = prometheus.read(PLAN.query("requestRate", "lms-green"), now).orElseThrow();
      assertTrue(requests > 30 && requests < 50, "Green's request rate: " + requests);
      // a query that is none of the plan's, on the same service and window, is about a series it does not have
      assertEquals(java.util.Optional.empty(), prometheus.read("sum(rate(lms_leave_queue_depth{service=\"lms-green\"}[1m]))", now));
      assertEquals(java.util.Optional.empty(), prometheus.read("sum(rate(http_requests_total{service=\"lms-green\",code=\"429\"}[1m]))", now));
      // a constant is answered as PromQL does (the preflight asks vector(1))
      assertEquals(1.0, prometheus.instant("vector(1)", now).orElseThrow());
    }
  }

  @Test
  void aPlanQueryOfASeriesItDoesNotKeepIsAnsweredEmpty() throws Exception {
    // a plan that adds a query: the stand-in recognises it as the plan's, and keeps no series for it
    Map<String, String> queries = new java.util.HashMap<>(PLAN.queries());
    queries.put("queueDepth", "max(lms_leave_queue_depth{service=\"$service\"})");
    try (MetricsStandIn m = greenServing(queries)) {
      assertEquals(java.util.Optional.empty(), client(m).read("max(lms_leave_queue_depth{service=\"lms-green\"})", Instant.now()));
    }
  }

  @Test
  void itAnswersEachPlanQueryWithItsOwnSeriesOverTheWindowTheQueryNames() throws Exception {
    try (MetricsStandIn m = greenServing(PLAN.queries())) {
      m.behave("lms-green", new MetricsStandIn.Behaviour(12, 0.8, 0, 30));
      PrometheusClient prometheus = client(m);
      Thread.sleep(2500);
      Instant now = Instant.now();

      double errors = prometheus.read(PLAN.query("errorRatePercent", "lms-green", Duration.ofSeconds(2)), now).orElseThrow();
      double p95 = prometheus.read(PLAN.query("p95Seconds", "lms-green"), now).orElseThrow();
      double db = prometheus.read(PLAN.query("dbFailurePercent", "lms-green", Duration.ofSeconds(2)), now).orElseThrow();
      assertEquals(12, errors, 0.5);
      assertTrue(p95 > 0.5 && p95 <= 1, "Green's p95: " + p95);
      assertEquals(30, db, 1);
      // Blue has had no traffic: 0/0 is NaN, as in PromQL
      assertTrue(prometheus.read(PLAN.query("errorRatePercent", "lms-blue"), now).orElseThrow().isNaN());
      // a service the stand-in does not serve has no series
      assertEquals(java.util.Optional.empty(), prometheus.read(PLAN.query("requestRate", "lms-ghost"), now));
    }
  }
}
