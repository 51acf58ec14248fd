package lms.rollback.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Journal;
import lms.rollback.plan.Environment;
import lms.rollback.plan.Plan;
import lms.rollback.sandbox.LmsStandIn;
import lms.rollback.testing.Ports;
import lms.rollback.testing.MetricsExporter;
import lms.rollback.testing.MetricsExporter.Traffic;
import lms.rollback.testing.PrometheusServer;
import lms.rollback.testing.TestPlans;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** §4.2 step 2 against a real Prometheus scraping an exporter the test controls, and an LMS stand-in. */
class BlueVerifierTest {

  static final Plan PLAN = TestPlans.fast();
  static final Environment ENV = PLAN.environment("production");
  /** The fast plan settles 1.5s after the switch and needs two 1s scrapes: samples at +3.5s, +4.5s, +5s. */
  static final Duration WINDOW = Duration.ofSeconds(5);
  static final Traffic HEALTHY = new Traffic(40, 0.2, 0.08, 0);
  static final Traffic IDLE = new Traffic(0, 0, 0.08, 0);

  @TempDir static Path promDir;
  static MetricsExporter exporter;
  static PrometheusServer prometheus;
  static LmsStandIn blue;

  @TempDir Path out;
  Journal journal;

  @BeforeAll
  static void start() throws Exception {
    if (!lms.rollback.testing.Tool.PROMETHEUS.present()) return; // each test says why it is skipped
    exporter = new MetricsExporter().set("lms-blue", HEALTHY).set("lms-green", IDLE);
    prometheus = PrometheusServer.scraping(exporter.target(), promDir);
    blue = new LmsStandIn("2.4.1");
    awaitData(new PrometheusClient(prometheus.url(), Duration.ofSeconds(2)), PLAN.verification().query("errorRatePercent", "lms-blue"));
  }

  static void awaitData(PrometheusClient client, String query) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (client.instant(query, Instant.now()).isPresent()) return;
      } catch (PrometheusClient.Unanswered notYet) {
        // no rate yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("no data for " + query);
  }

  @AfterAll
  static void stop() throws Exception {
    if (blue != null) blue.close();
    if (prometheus != null) prometheus.close();
    if (exporter != null) exporter.close();
  }

  @BeforeEach
  void reset() {
    lms.rollback.testing.Tool.PROMETHEUS.require();
    journal = new Journal(out, "qa");
    exporter.set("lms-blue", HEALTHY).set("lms-green", IDLE);
    blue.version("2.4.1").databaseUp(true).delay(Duration.ZERO);
  }

  List<CheckResult> verify(String prometheusUrl, String expectedVersion, Environment env) {
    return new BlueVerifier(PLAN.verification(), PLAN.time(), journal, line -> { })
        .verify(new BlueVerifier.Request(env, URI.create(blue.url()), new PrometheusClient(prometheusUrl, Duration.ofSeconds(2)), expectedVersion, WINDOW));
  }

  static CheckResult named(List<CheckResult> results, String prefix) {
    return results.stream().filter(r -> r.name().startsWith(prefix)).findFirst().orElseThrow();
  }

  @Test
  void healthyBluePassesEveryCheck() {
    List<CheckResult> results = verify(prometheus.url(), "2.4.1", ENV);

    assertTrue(results.stream().allMatch(CheckResult::passed), results.toString());
    assertEquals(6, results.size());
    // the report says which part of the window each metric was judged on, and on how many samples
    assertTrue(named(results, "Blue error rate").measured().matches(".* worst of 3 samples, \\+3s\\.\\.\\+5s after the switch"),
        named(results, "Blue error rate").measured());
    assertEquals(6, journal.read().stream().filter(e -> e.type().equals("check.result")).count());
  }

  @Test
  void wrongVersionFails() {
    blue.version("3.0.0");

    CheckResult version = named(verify(prometheus.url(), "2.4.1", ENV), "Previous version");

    assertEquals(CheckResult.Status.fail, version.status());
    assertEquals("3.0.0", version.measured());
  }

  @Test
  void databaseDownFails() {
    blue.databaseUp(false);
    assertEquals(CheckResult.Status.fail, named(verify(prometheus.url(), "2.4.1", ENV), "Database connectivity").status());
  }

  @Test
  void errorSpikeOnBlueFails() throws Exception {
    exporter.set("lms-blue", new Traffic(40, 20, 0.08, 0));
    Thread.sleep(2500);

    CheckResult errors = named(verify(prometheus.url(), "2.4.1", ENV), "Blue error rate");

    assertEquals(CheckResult.Status.fail, errors.status(), errors.toString());
  }

  @Test
  void greenStillReceivingRequestsFails() throws Exception {
    exporter.set("lms-green", new Traffic(5, 0, 0.08, 0));
    Thread.sleep(2500);

    assertEquals(CheckResult.Status.fail, named(verify(prometheus.url(), "2.4.1", ENV), "Green receives no requests").status());
  }

  @Test
  void prometheusDownFailsClosed() throws Exception {
    int closed = Ports.closed();

    List<CheckResult> results = verify("http://127.0.0.1:" + closed + "/", "2.4.1", ENV);

    CheckResult errors = named(results, "Blue error rate");
    assertEquals(CheckResult.Status.inconclusive, errors.status());
    assertTrue(errors.detail().contains("unreachable"), errors.detail());
    assertTrue(results.stream().anyMatch(r -> !r.passed()));
  }

  @Test
  void emptyVectorIsInconclusiveNotAPass() {
    // a Blue host nobody exports metrics for
    Environment ghost = new Environment(ENV.namespace(), ENV.virtualService(), new Environment.Side("lms-ghost", "lms-ghost", Map.of("app", "g")),
        ENV.green(), ENV.rollbackWeights(), ENV.baseUrl(), ENV.prometheusUrl(), ENV.database(), null, null, null);

    CheckResult errors = named(verify(prometheus.url(), "2.4.1", ghost), "Blue error rate");

    assertEquals(CheckResult.Status.inconclusive, errors.status(), errors.toString());
  }

  @Test
  void aGreenWithoutSeriesIsNoEvidenceUnlessItHasNoPodLeft() {
    // a Green host nobody exports metrics for: its pods gone (a re-run after the scale-down), or not scraped
    Environment ghostGreen = new Environment(ENV.namespace(), ENV.virtualService(), ENV.blue(), new Environment.Side("lms-gone", "lms-gone",
        Map.of("app", "gone")), ENV.rollbackWeights(), ENV.baseUrl(), ENV.prometheusUrl(), ENV.database(), null, null, null);
    PrometheusClient client = new PrometheusClient(prometheus.url(), Duration.ofSeconds(2));

    List<CheckResult> running = new BlueVerifier(PLAN.verification(), PLAN.time(), journal, line -> { })
        .verify(new BlueVerifier.Request(ghostGreen, URI.create(blue.url()), client, "2.4.1", WINDOW, Instant.now(), 3));
    List<CheckResult> scaledDown = new BlueVerifier(PLAN.verification(), PLAN.time(), journal, line -> { })
        .verify(new BlueVerifier.Request(ghostGreen, URI.create(blue.url()), client, "2.4.1", WINDOW, Instant.now(), 0));

    assertEquals(CheckResult.Status.inconclusive, named(running, "Green receives no requests").status(), running.toString());
    assertEquals(CheckResult.Status.pass, named(scaledDown, "Green receives no requests").status(), scaledDown.toString());
    assertTrue(named(scaledDown, "Green receives no requests").measured().startsWith("no Green pod running"));
  }

  /** The fast plan with {@code checks} (YAML list items) added to verification.checks, and {@code queries} to its queries. */
  static Plan withChecks(String queries, String... checks) {
    String yaml = TestPlans.fastYaml().replace("  queries:\n", "  queries:\n" + queries);
    return new lms.rollback.plan.PlanLoader().parse(yaml.replace("  checks:\n", "  checks:\n" + String.join("", checks)).getBytes(java.nio.charset.StandardCharsets.UTF_8),
        "plan with added checks");
  }

  @Test
  void aCheckAddedToThePlanIsMadeAndWhatNoNumberMeansIsItsOwn() {
    // a query of a series Prometheus never scraped: its answer is an empty vector at every sample
    Plan plan = withChecks("    queueDepth: 'max(lms_leave_queue_depth{service=\"$service\"})'\n",
        "    - { name: \"Blue DB failures (%)\", query: dbFailurePercent, on: blue, comparison: atMost, threshold: 1, unit: \"%\" }\n",
        "    - { name: \"Queue (no data passes)\", query: queueDepth, on: blue, comparison: below, threshold: 100, noData: pass }\n",
        "    - { name: \"Queue (no data fails)\", query: queueDepth, on: blue, comparison: below, threshold: 100, noData: fail }\n",
        "    - { name: \"Queue (no data is no evidence)\", query: queueDepth, on: blue, comparison: below, threshold: 100 }\n");

    List<CheckResult> results = new BlueVerifier(plan.verification(), plan.time(), journal, line -> { })
        .verify(new BlueVerifier.Request(ENV, URI.create(blue.url()), new PrometheusClient(prometheus.url(), Duration.ofSeconds(2)), "2.4.1", WINDOW));

    assertEquals(10, results.size(), results.toString());
    CheckResult db = named(results, "Blue DB failures (%)");
    assertEquals(CheckResult.Status.pass, db.status(), db.toString());
    assertEquals("<= 1 % at every sample", db.threshold());
    assertEquals(CheckResult.Status.pass, named(results, "Queue (no data passes)").status(), results.toString());
    assertTrue(named(results, "Queue (no data passes)").measured().startsWith("no number in "), results.toString());
    CheckResult fails = named(results, "Queue (no data fails)");
    assertEquals(CheckResult.Status.fail, fails.status(), fails.toString());
    assertTrue(fails.measured().startsWith("no series at +") && fails.measured().endsWith("(noData: fail)"), fails.measured());
    assertEquals(CheckResult.Status.inconclusive, named(results, "Queue (no data is no evidence)").status(), results.toString());
  }

  @Test
  void anAddedCheckFailsOnItsOwnThreshold() throws Exception {
    exporter.set("lms-blue", new Traffic(40, 0.2, 0.08, 20));
    Thread.sleep(2500);
    Plan plan = withChecks("", "    - { name: \"Blue DB failures (%)\", query: dbFailurePercent, on: blue, comparison: atMost, threshold: 1, unit: \"%\" }\n");

    List<CheckResult> results = new BlueVerifier(plan.verification(), plan.time(), journal, line -> { })
        .verify(new BlueVerifier.Request(ENV, URI.create(blue.url()), new PrometheusClient(prometheus.url(), Duration.ofSeconds(2)), "2.4.1", WINDOW));

    CheckResult db = named(results, "Blue DB failures (%)");
    assertEquals(CheckResult.Status.fail, db.status(), db.toString());
    double measured = Double.parseDouble(db.measured().substring(0, db.measured().indexOf(' ')));
    assertTrue(measured > 15 && measured < 25, db.measured());
    assertEquals(CheckResult.Status.pass, named(results, "Blue error rate").status(), results.toString());
  }

  @Test
  void slowEndpointTimesOutAndFails() {
    blue.delay(Duration.ofMillis(1500));

    CheckResult health = named(verify(prometheus.url(), "2.4.1", ENV), "Blue responds");

    assertEquals(CheckResult.Status.fail, health.status());
    assertTrue(health.detail().contains("timed out"), health.detail());
  }

  @Test
  void noExpectedVersionIsInconclusive() {
    assertEquals(CheckResult.Status.inconclusive, named(verify(prometheus.url(), null, ENV), "Previous version").status());
  }

  @Test
  void resultsAreWrittenAsJUnitOneCasePerCheck() throws Exception {
    List<CheckResult> results = verify(prometheus.url(), "2.4.1", ENV);
    Path xml = Checks.writeJUnit(out.resolve("verify.xml"), BlueVerifier.SUITE, results);
    var doc = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
    assertEquals(6, doc.getElementsByTagName("testcase").getLength());
  }

  @Test
  void aDeadBlueFailsAtOnceWithoutWaitingOutTheWindow() throws Exception {
    long start = System.nanoTime();
    List<CheckResult> results = new BlueVerifier(PLAN.verification(), PLAN.time(), journal, line -> { }).verify(new BlueVerifier.Request(ENV,
        URI.create("http://127.0.0.1:" + Ports.closed() + "/"), new PrometheusClient(prometheus.url(), Duration.ofSeconds(2)), "2.4.1",
        Duration.ofSeconds(60)));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertTrue(took.compareTo(Duration.ofSeconds(20)) < 0, "took " + took);
    CheckResult errors = named(results, "Blue error rate");
    assertEquals(CheckResult.Status.inconclusive, errors.status());
    assertTrue(errors.detail().startsWith("not observed: Blue failed Blue responds"), errors.detail());
    assertEquals(6, results.size());
  }

  @Test
  void aWindowOfNothingIsNoEvidence() {
    List<CheckResult> results = new BlueVerifier(PLAN.verification(), PLAN.time(), journal, line -> { }).verify(new BlueVerifier.Request(ENV,
        URI.create(blue.url()), new PrometheusClient(prometheus.url(), Duration.ofSeconds(2)), "2.4.1", Duration.ZERO));

    assertEquals(CheckResult.Status.inconclusive, named(results, "Blue error rate").status());
    assertTrue(named(results, "Blue error rate").detail().contains("the observation window is 0s"), named(results, "Blue error rate").detail());
  }

  @Test
  void oneSampleWhereTheWindowShouldHoldManyIsInconclusive() throws Exception {
    // a Prometheus that answers the first question of each query and has nothing after it
    java.util.Set<String> asked = java.util.concurrent.ConcurrentHashMap.newKeySet();
    com.sun.net.httpserver.HttpServer thin = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 4);
    thin.createContext("/api/v1/", x -> {
      String query = x.getRequestURI().getQuery().replaceAll("&time=.*", "").replaceAll("\\[[^]]*]", "");
      double now = System.currentTimeMillis() / 1000.0;
      String result = asked.add(query) ? "[{\"metric\":{},\"value\":[" + now + ",\"0\"]}]" : "[]";
      byte[] body = ("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":" + result + "}}")
          .getBytes(java.nio.charset.StandardCharsets.UTF_8);
      x.sendResponseHeaders(200, body.length);
      try (var o = x.getResponseBody()) {
        o.write(body);
      }
    });
    thin.start();
    try {
      CheckResult errors = named(verify("http://127.0.0.1:" + thin.getAddress().getPort() + "/", "2.4.1", ENV), "Blue error rate");

      assertEquals(CheckResult.Status.inconclusive, errors.status(), errors.toString());
      assertTrue(errors.detail().startsWith("only 1 of the 3 samples after the switch had data"), errors.detail());
      assertTrue(errors.detail().endsWith("no series at +5s"), errors.detail());
    } finally {
      thin.stop(0);
    }
  }

  @Test
  void greenTrafficBeforeTheSwitchIsNotCountedAgainstIt() throws Exception {
    // Green served 40 rps until now: a rate over the last minute would still see it, the post-switch window does not
    exporter.set("lms-green", new Traffic(40, 12, 0.8, 0));
    Thread.sleep(3000);
    exporter.set("lms-green", IDLE);

    List<CheckResult> results = verify(prometheus.url(), "2.4.1", ENV);

    assertEquals(CheckResult.Status.pass, named(results, "Green receives no requests").status(), results.toString());
  }

  @Test
  void blueThatHadNoTrafficBeforeTheSwitchIsJudgedOnItsTrafficAfter() throws Exception {
    // Blue idle (NaN ratios) until the switch, then serving: a Blue ratio over minutes of nothing would be NaN
    exporter.set("lms-blue", IDLE);
    Thread.sleep(3000);
    exporter.set("lms-blue", HEALTHY);

    List<CheckResult> results = verify(prometheus.url(), "2.4.1", ENV);

    assertTrue(results.stream().allMatch(CheckResult::passed), results.toString());
  }
}
