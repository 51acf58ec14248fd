package lms.rollback.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import lms.rollback.plan.PlanException;
import lms.rollback.plan.PlanLoader;
import lms.rollback.plan.RunbookTables.Verification;
import lms.rollback.sandbox.MetricsStandIn;
import lms.rollback.testing.MetricsExporter;
import lms.rollback.testing.MetricsExporter.Traffic;
import lms.rollback.testing.PrometheusServer;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * #36 item 12, "Users affected, measured": the report's Impact gives the requests (and errors) Green served from its
 * deployment to the switch, counted by Prometheus with the plan's queries — by a real Prometheus, and the same by the
 * sandbox's stand-in — and "not measured" with the reason when Prometheus cannot answer, never a 0.
 */
class ServedRequestsTest {

  static final Verification PLAN = Sandbox.PLAN.verification();
  static final double RPS = 40;
  static final double GREEN_ERRORS = 12;
  @TempDir Path dir;

  @Test
  void aRealPrometheusCountsWhatGreenServedFromItsDeploymentToTheSwitch() throws Exception {
    // Given a Prometheus scraping LMS, Blue serving a little at 0.3 % errors; then Green deployed (its counters from 0),
    // taking 40 req/s with 12 % errors
    try (MetricsExporter lms = new MetricsExporter().set("lms-green", new Traffic(0, GREEN_ERRORS, 0.8, 0)).set("lms-blue", new Traffic(5, 0.3, 0.08, 0));
        PrometheusServer prometheus = PrometheusServer.scraping(lms.target(), Files.createDirectories(dir.resolve("prom")))) {
      Thread.sleep(3_000);
      Instant deployed = Instant.now();
      lms.set("lms-green", new Traffic(RPS, GREEN_ERRORS, 0.8, 0));
      Thread.sleep(20_000);
      // When the switch sends Green nothing more, and Blue takes it all
      Instant switched = Instant.now();
      lms.set("lms-green", new Traffic(0, GREEN_ERRORS, 0.8, 0)).set("lms-blue", new Traffic(RPS, 0.3, 0.08, 0));
      Thread.sleep(4_000); // Prometheus scrapes past the switch, as by the end of a run
      PrometheusClient client = new PrometheusClient(prometheus.url(), Duration.ofSeconds(5));

      ServedRequests.Measurement m = ServedRequests.measure(PLAN, client, null, "lms-green", deployed, switched);

      // Then the requests and errors of those seconds, as requests (Blue's and what came after the switch not among them)
      double seconds = Duration.between(deployed, switched).toMillis() / 1000.0;
      assertNull(m.notMeasured(), String.valueOf(m.notMeasured()));
      assertEquals(RPS * seconds, m.requests(), RPS * seconds * 0.15, m.toString());
      assertEquals(GREEN_ERRORS, 100.0 * m.errors() / m.requests(), 1.5, m.toString());
      assertTrue(m.requestsQuery().startsWith("sum(increase(http_requests_total{service=\"lms-green\"}[") && m.requestsQuery().contains("s]))"),
          "the query sent, with the span filled in: " + m.requestsQuery());

      // a deployment older than Prometheus' data counts what Prometheus saw, not a span multiplied out
      ServedRequests.Measurement older = ServedRequests.measure(PLAN, client, null, "lms-green", deployed.minus(Duration.ofHours(1)), switched);
      assertEquals(RPS * seconds, older.requests(), RPS * seconds * 0.15, older.toString());

      // and a service Prometheus never saw is not measured, not 0
      ServedRequests.Measurement none = ServedRequests.measure(PLAN, client, null, "lms-purple", deployed, switched);
      assertNull(none.requests());
      assertTrue(none.notMeasured().contains("no series of lms-purple"), none.notMeasured());

      // When Prometheus goes away, the count is "not measured" with the reason: never a made-up 0
      prometheus.kill();
      ServedRequests.Measurement down = ServedRequests.measure(PLAN, client, null, "lms-green", deployed, switched);
      assertNull(down.requests());
      assertNull(down.errors());
      assertTrue(down.notMeasured().startsWith("Prometheus did not answer"), down.notMeasured());
      assertEquals(m.requestsQuery().replaceAll("\\[\\d+s]", ""), down.requestsQuery().replaceAll("\\[\\d+s]", ""), "the query it asked is still named");
    }
  }

  @Test
  void theSandboxsStandInAnswersTheSameQueryTheSameWay() throws Exception {
    // the stand-in holds ten minutes of Green at 100 % of the traffic
    try (MetricsStandIn standIn = new MetricsStandIn(PLAN.queries(), "lms-blue", "lms-green", host -> host.equals("lms-green") ? 100 : 0)) {
      PrometheusClient client = new PrometheusClient(standIn.url(), Duration.ofSeconds(5));
      Instant switched = Instant.now();
      ServedRequests.Measurement fiveMinutes = ServedRequests.measure(PLAN, client, null, "lms-green", switched.minus(Duration.ofMinutes(5)), switched);
      assertNull(fiveMinutes.notMeasured(), String.valueOf(fiveMinutes.notMeasured()));
      assertEquals(RPS * MetricsStandIn.REQUESTS_PER_SECOND / RPS * 300, fiveMinutes.requests(), 300 * RPS * 0.05, fiveMinutes.toString());
      assertEquals(GREEN_ERRORS, 100.0 * fiveMinutes.errors() / fiveMinutes.requests(), 0.5, fiveMinutes.toString());
      // older than its history: what it saw (ten minutes), as a real Prometheus
      ServedRequests.Measurement hours = ServedRequests.measure(PLAN, client, null, "lms-green", switched.minus(Duration.ofHours(2)), switched);
      assertEquals(600 * RPS, hours.requests(), 600 * RPS * 0.05, hours.toString());
      // Blue, idle at 0 % before any switch, served nothing: a measured 0, with its errors 0 too
      ServedRequests.Measurement blue = ServedRequests.measure(PLAN, client, null, "lms-blue", switched.minus(Duration.ofMinutes(5)), switched);
      assertEquals(0L, blue.requests(), blue.toString());
      assertEquals(0L, blue.errors(), blue.toString());
    }
  }

  @Test
  void withoutPrometheusOrAKnownDeploymentNothingIsCounted() {
    Instant switched = Instant.now();
    ServedRequests.Measurement clusterOnly = ServedRequests.measure(PLAN, null, "this run has no Prometheus (--cluster-only)", "lms-green",
        switched.minusSeconds(600), switched);
    assertNull(clusterOnly.requests());
    assertEquals("this run has no Prometheus (--cluster-only)", clusterOnly.notMeasured());
    assertTrue(clusterOnly.requestsQuery().contains("[600s]"), clusterOnly.requestsQuery());
    ServedRequests.Measurement unknown = ServedRequests.measure(PLAN, null, "unused", "lms-green", null, switched);
    assertEquals("Green's deployment time is not known", unknown.notMeasured());
  }

  @Test
  void aSitesQueryMustCountOverTheSpan() throws Exception {
    String yaml;
    try (var in = PlanLoader.class.getClassLoader().getResourceAsStream(PlanLoader.DEFAULT_RESOURCE)) {
      yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String lastHour = yaml.replace("requestsServed: 'sum(increase(http_requests_total{service=\"$service\"}[$range]))'",
        "requestsServed: 'sum(increase(http_requests_total{service=\"$service\"}[1h]))'");
    assertTrue(!lastHour.equals(yaml), "the built-in plan has the query");
    PlanException e = assertThrows(PlanException.class, () -> new PlanLoader().parse(lastHour.getBytes(StandardCharsets.UTF_8), "site plan"));
    assertTrue(e.getMessage().contains("verification.queries.requestsServed") && e.getMessage().contains("allowed: "), e.getMessage());
    // a site may write its own, counted over the span
    String own = yaml.replace("requestsServed: 'sum(increase(http_requests_total{service=\"$service\"}[$range]))'",
        "requestsServed: 'sum(increase(istio_requests_total{destination_service_name=\"$service\"}[$range]))'");
    assertTrue(new PlanLoader().parse(own.getBytes(StandardCharsets.UTF_8), "site plan").verification().queryOver("requestsServed", "lms-green",
        Duration.ofSeconds(90)).equals("sum(increase(istio_requests_total{destination_service_name=\"lms-green\"}[90s]))"));
  }
}
