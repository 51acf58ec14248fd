package lms.rollback.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Journal;
import lms.rollback.plan.PlanLoader;
import lms.rollback.sandbox.MetricsStandIn;
import lms.rollback.testing.Approvals;
import lms.rollback.testing.Cli;
import lms.rollback.testing.LmsctlProcess;
import lms.rollback.testing.MetricsExporter;
import lms.rollback.testing.MetricsExporter.Traffic;
import lms.rollback.testing.PrometheusServer;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Scenario B end to end as in production: Green serves tens of requests a second, erring, for
 * two and a half minutes (longer than the rate window) before the switch; a real Prometheus scrapes every 5 or 15 s; the
 * traffic follows the sandbox's VirtualService a moment late, as Istio's sidecars do. Blue is
 * judged on post-switch data, within the plan's own 90 s window and 2 m budget. The variants —
 * Blue erring, a second route left on Green, Prometheus gone mid-window — are run on a real
 * Prometheus scraping every second and on the sandbox's stand-in, and must get the same verdicts.
 */
class PostSwitchVerificationTest {

  static final Map<String, String> SMOKE = Map.of("LMS_SMOKE_USER", "u", "LMS_SMOKE_PASSWORD", "p", "LMS_SMOKE_TOKEN",
      lms.rollback.sandbox.LmsStandIn.TOKEN);
  static final Traffic BLUE = new Traffic(0, 0.2, 0.08, 0);
  static final Traffic GREEN_ERRING = new Traffic(0, 12, 0.8, 0);
  static final double RPS = 40;
  static final Duration SIDECAR_LAG = Duration.ofSeconds(2);

  @TempDir Path out;
  Path runDir;
  String lmsUrl;

  @org.junit.jupiter.api.BeforeEach
  void runIn() {
    runDir = out.resolve("run");
  }

  /** The plan as production runs it, but for how often Prometheus scrapes (and, for the variants, a shorter window). */
  Path plan(String scrape, String propagation, String window, String rateWindow) throws Exception {
    String yaml;
    try (var in = PlanLoader.class.getClassLoader().getResourceAsStream(PlanLoader.DEFAULT_RESOURCE)) {
      yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String changed = yaml.replace("scrapeInterval: 15s", "scrapeInterval: " + scrape).replace("routePropagation: 5s", "routePropagation: " + propagation)
        .replace("observationWindow: 90s", "observationWindow: " + window).replace("rateWindow: 1m", "rateWindow: " + rateWindow)
        // the run measures AUTO-001 before its decision (#23): sustained over one rate window, on the traffic the test ran before
        .replace("measure: { query: errorRatePercent, above: 5, for: 5m }", "measure: { query: errorRatePercent, above: 5, for: " + rateWindow + " }")
        .replace("evaluationStep: 10s", "evaluationStep: 1s");
    Path file = out.resolve("plan.yaml");
    Files.writeString(file, changed);
    return file;
  }

  Cli.Run rollback(Sandbox sandbox, Path plan, String prometheus, String lms) throws Exception {
    return rollback(sandbox, plan, prometheus, lms, "AUTO-001");
  }

  /**
   * The variants are about Blue's verdicts on a few seconds of traffic, not about a trigger: they run MAN-003 with the
   * Release Commander's approval given, as AUTO-001 would need its full window of samples measured first (#23).
   */
  Cli.Run approvedRollback(Sandbox sandbox, Path plan, String prometheus, String lmsAt) throws Exception {
    Approvals.byReleaseCommander(runDir, "MAN-003");
    return rollback(sandbox, plan, prometheus, lmsAt, "MAN-003");
  }

  Cli.Run rollback(Sandbox sandbox, Path plan, String prometheus, String lms, String trigger) throws Exception {
    Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
    return LmsctlProcess.run(SMOKE, "rollback", "--scenario", "B", "--env", Sandbox.ENV, "--trigger", trigger, "--kubeconfig", kubeconfig.toString(),
        "--out-dir", runDir.toString(), "--plan", plan.toString(), "--prometheus", prometheus, "--base-url", lms, "--lock-wait", "5s",
        "--actor", "ops.oncall");
  }

  static Instant at(Journal journal, String type, String action) {
    return journal.read().stream().filter(e -> e.type().equals(type) && (action == null || action.equals(e.data().path("action").asText())))
        .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no " + type + " " + action)).ts();
  }

  Journal journal() {
    return new Journal(runDir, "reader");
  }

  String report() throws Exception {
    return Files.readString(runDir.resolve("rollback-report.md"));
  }

  @ParameterizedTest(name = "scrape every {0}s")
  @ValueSource(ints = {15, 5})
  void aHealthyRollbackPassesOnPostSwitchDataWithinItsBudget(int scrapeSeconds) throws Exception {
    try (Sandbox sandbox = Sandbox.start(out);
        MetricsExporter exporter = new MetricsExporter().set("lms-blue", BLUE).set("lms-green", GREEN_ERRING)
            .routed("lms-blue", "lms-green", RPS, () -> sandbox.cluster.blueShare(sandbox.env), SIDECAR_LAG);
        PrometheusServer prometheus = PrometheusServer.scraping(exporter.target(), Files.createDirectories(out.resolve("prom")),
            Duration.ofSeconds(scrapeSeconds))) {
      var lms = sandbox.cluster.startLms(sandbox.env);
      PrometheusClient client = new PrometheusClient(prometheus.url(), Duration.ofSeconds(2));
      // Given Green has served 40 rps for minutes, longer than the rate window: a rate[1m] now counts a full minute of it
      Thread.sleep(Duration.ofSeconds(150).toMillis());
      double greenBefore = client.instant("sum(rate(http_requests_total{service=\"lms-green\"}[1m]))", Instant.now()).orElse(0.0);
      assertTrue(greenBefore > 30, "Green's traffic before the switch: " + greenBefore);

      // When scenario B runs with the plan's 90 s window
      Cli.Run run = rollback(sandbox, plan(scrapeSeconds + "s", "5s", "90s", "1m"), prometheus.url(), lms.url());

      // Then it completes, Green scaled down, and Blue's checks name the post-switch part they were judged on
      assertEquals(0, run.exit(), run.out() + run.err());
      assertEquals(0, sandbox.deployment("lms-green").getSpec().getReplicas());
      Duration verify = Duration.between(at(journal(), "switch.after", null), at(journal(), "step.end", "verify-blue"));
      assertTrue(verify.compareTo(Duration.ofMinutes(2)) < 0, "verify-blue took " + verify + " after the switch");
      assertTrue(verify.compareTo(Duration.ofSeconds(90)) >= 0, "Blue was observed for the whole window: " + verify);
      String report = report();
      assertTrue(report.contains("Green receives no requests (req/s) | pass"), report);
      assertTrue(report.matches("(?s).*Blue error rate \\(%\\) \\| pass \\|[^\n]*worst of \\d+ samples, \\+\\d+s\\.\\.\\+1m30s after the switch.*"), report);
    }
  }

  /** Where the metrics come from: a real Prometheus scraping an exporter, or the sandbox's stand-in. */
  interface Metrics extends AutoCloseable {
    String url();

    void blueErrs();

    void greenAlsoFedByAnotherRoute();

    /** A third of Blue's database connections fail, its answers and latency as healthy as before. */
    void blueDatabaseFails();

    /** Prometheus goes away {@code after} the sandbox's traffic is on Blue: in the middle of the observation window. */
    void goAwayAfterTheSwitch(Sandbox sandbox, Duration after);

    String plan(PostSwitchVerificationTest t) throws Exception;
  }

  static final class RealPrometheus implements Metrics {
    final MetricsExporter exporter;
    final PrometheusServer prometheus;

    RealPrometheus(Sandbox sandbox, Path dir) throws Exception {
      exporter = new MetricsExporter().set("lms-blue", BLUE).set("lms-green", GREEN_ERRING)
          .routed("lms-blue", "lms-green", RPS, () -> sandbox.cluster.blueShare(sandbox.env), Duration.ofMillis(500));
      prometheus = PrometheusServer.scraping(exporter.target(), dir, PrometheusServer.FAST_SCRAPE);
      // Green's traffic for longer than the variants' rate window
      Thread.sleep(12_000);
    }

    public String url() {
      return prometheus.url();
    }

    public void blueErrs() {
      exporter.set("lms-blue", new Traffic(0, 20, 0.08, 0));
    }

    public void greenAlsoFedByAnotherRoute() {
      exporter.extra("lms-green", 5);
    }

    public void blueDatabaseFails() {
      exporter.set("lms-blue", new Traffic(0, BLUE.errorPercent(), BLUE.latencySeconds(), 30));
    }

    public void goAwayAfterTheSwitch(Sandbox sandbox, Duration after) {
      afterTheSwitch(sandbox, after, () -> {
        try {
          prometheus.kill();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
    }

    public String plan(PostSwitchVerificationTest t) throws Exception {
      return t.plan("1s", "1s", "12s", "4s").toString();
    }

    public void close() throws Exception {
      prometheus.close();
      exporter.close();
    }
  }

  static final class StandIn implements Metrics {
    final MetricsStandIn metrics;

    StandIn(Sandbox sandbox) {
      metrics = sandbox.cluster.metrics();
    }

    public String url() {
      return metrics.url();
    }

    public void blueErrs() {
      metrics.behave("lms-blue", new MetricsStandIn.Behaviour(20, 0.09, 0));
    }

    public void greenAlsoFedByAnotherRoute() {
      metrics.behave("lms-green", new MetricsStandIn.Behaviour(12, 0.8, 5));
    }

    public void blueDatabaseFails() {
      metrics.behave("lms-blue", new MetricsStandIn.Behaviour(0.3, 0.09, 0, 30));
    }

    public void goAwayAfterTheSwitch(Sandbox sandbox, Duration after) {
      afterTheSwitch(sandbox, after, metrics::close);
    }

    public String plan(PostSwitchVerificationTest t) throws Exception {
      return t.plan("1s", lms.rollback.sandbox.SandboxPlan.ROUTE_PROPAGATION, "12s", "4s").toString();
    }

    public void close() {
      // closed with the sandbox
    }
  }

  /** When Prometheus was made to go away, for the failure message of a test that expected it gone. */
  static final java.util.concurrent.atomic.AtomicReference<String> WENT_AWAY = new java.util.concurrent.atomic.AtomicReference<>("not yet");

  /** Runs {@code action} {@code after} the sandbox's VirtualService sends Blue everything (whenever the run gets there). */
  static void afterTheSwitch(Sandbox sandbox, Duration after, Runnable action) {
    WENT_AWAY.set("not yet");
    Thread t = new Thread(() -> {
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      try {
        while (System.nanoTime() < deadline) {
          try {
            if (sandbox.cluster.blueShare(sandbox.env) == 100) break;
          } catch (RuntimeException notNow) {
            // the API busy: ask again
          }
          Thread.sleep(100);
        }
        Thread.sleep(after.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      action.run();
      WENT_AWAY.set("at " + Instant.now());
    }, "prometheus-goes-away");
    t.setDaemon(true);
    t.start();
  }

  Metrics metrics(String kind, Sandbox sandbox) throws Exception {
    lmsUrl = sandbox.cluster.startLms(sandbox.env).url();
    return kind.equals("prometheus") ? new RealPrometheus(sandbox, Files.createTempDirectory(out, "prom")) : new StandIn(sandbox);
  }

  /** Runs scenario B on {@code metrics}: it must stop at verify-blue with {@code check} {@code status}, Green left running. */
  void assertStoppedAtVerification(Sandbox sandbox, Metrics metrics, String check, String status) throws Exception {
    Cli.Run run = approvedRollback(sandbox, Path.of(metrics.plan(this)), metrics.url(), lmsUrl);
    assertEquals(4, run.exit(), run.out() + run.err() + "\n(Prometheus went away: " + WENT_AWAY.get() + ")");
    assertEquals(3, sandbox.deployment("lms-green").getSpec().getReplicas(), "Green is left running");
    String report = report();
    assertTrue(report.contains(check + " | " + status), report);
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"prometheus", "stand-in"})
  void theSameVerdictsOnARealPrometheusAndOnTheStandIn(String kind) throws Exception {
    // healthy
    try (Sandbox sandbox = Sandbox.start(Files.createDirectories(out.resolve("healthy"))); Metrics m = metrics(kind, sandbox)) {
      Cli.Run run = approvedRollback(sandbox, Path.of(m.plan(this)), m.url(), lmsUrl);
      assertEquals(0, run.exit(), run.out() + run.err());
    }
    runDir = out.resolve("run-erring");
    // Blue errs once it takes the traffic: fails at its first post-switch sample, Green untouched
    try (Sandbox sandbox = Sandbox.start(Files.createDirectories(out.resolve("erring"))); Metrics m = metrics(kind, sandbox)) {
      m.blueErrs();
      assertStoppedAtVerification(sandbox, m, "Blue error rate (%)", "fail");
    }
    runDir = out.resolve("run-second-route");
    // a second route (another VirtualService) still sends Green requests: its counter keeps increasing
    try (Sandbox sandbox = Sandbox.start(Files.createDirectories(out.resolve("second-route"))); Metrics m = metrics(kind, sandbox)) {
      m.greenAlsoFedByAnotherRoute();
      assertStoppedAtVerification(sandbox, m, "Green receives no requests (req/s)", "fail");
    }
    runDir = out.resolve("run-prometheus-down");
    // Prometheus goes away in the middle of the window: too few samples, inconclusive, fail closed
    try (Sandbox sandbox = Sandbox.start(Files.createDirectories(out.resolve("prometheus-down"))); Metrics m = metrics(kind, sandbox)) {
      m.goAwayAfterTheSwitch(sandbox, Duration.ofSeconds(1));
      assertStoppedAtVerification(sandbox, m, "Blue error rate (%)", "inconclusive");
    }
  }

  static final String ADDED_CHECK = "Blue database connection failures (%)";
  static final String ADDED_QUERY_CHECK = "Blue 5xx answers (req/s)";

  /**
   * {@code plan} with a Prometheus check added to Verify Blue, first in the list: Blue's database connection failures,
   * on the plan's own dbFailurePercent. On a real Prometheus a second one on a query the plan did not have.
   */
  static String withAddedChecks(String plan, boolean newQuery) throws Exception {
    String yaml = Files.readString(Path.of(plan));
    String checks = "  checks:\n";
    assertTrue(yaml.contains(checks) && yaml.contains("  queries:\n"), "the plan has verification.checks and queries");
    String added = "    - { name: \"" + ADDED_CHECK + "\", query: dbFailurePercent, on: blue, comparison: atMost, threshold: 5, unit: \"%\" }\n";
    if (newQuery) {
      added += "    - { name: \"" + ADDED_QUERY_CHECK + "\", query: serverErrorRate, on: blue, comparison: atMost, threshold: 1, unit: req/s, noData: pass }\n";
      yaml = yaml.replace("  queries:\n", "  queries:\n    serverErrorRate: 'sum(rate(http_requests_total{service=\"$service\",code=~\"5..\"}[$rate]))'\n");
    }
    Files.writeString(Path.of(plan), yaml.replace(checks, checks + added));
    return plan;
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"prometheus", "stand-in"})
  void aCheckAddedToThePlanIsRunWithoutCodeChanges(String kind) throws Exception {
    boolean real = kind.equals("prometheus");
    // healthy: the added checks are made, reported and pass
    runDir = out.resolve("run-added-healthy");
    try (Sandbox sandbox = Sandbox.start(Files.createDirectories(out.resolve("added-healthy"))); Metrics m = metrics(kind, sandbox)) {
      Cli.Run run = approvedRollback(sandbox, Path.of(withAddedChecks(m.plan(this), real)), m.url(), lmsUrl);

      assertEquals(0, run.exit(), run.out() + run.err());
      String report = report();
      assertTrue(report.matches("(?s).*\\Q" + ADDED_CHECK + " | pass |\\E[^\n]*worst of \\d+ samples.*"), report);
      if (real) assertTrue(report.contains(ADDED_QUERY_CHECK + " | pass"), report);
    }
    // Blue's database fails: the added check fails Verify Blue, by its name, and Green is left running
    runDir = out.resolve("run-added-failing");
    try (Sandbox sandbox = Sandbox.start(Files.createDirectories(out.resolve("added-failing"))); Metrics m = metrics(kind, sandbox)) {
      m.blueDatabaseFails();
      Cli.Run run = approvedRollback(sandbox, Path.of(withAddedChecks(m.plan(this), real)), m.url(), lmsUrl);

      String said = run.out() + run.err();
      assertEquals(4, run.exit(), said);
      assertTrue(said.contains("Blue is unhealthy after the switch: " + ADDED_CHECK + " fail"), said);
      assertEquals(3, sandbox.deployment("lms-green").getSpec().getReplicas(), "Green is left running");
      assertTrue(report().contains(ADDED_CHECK + " | fail"), report());
    }
  }

  @Test
  void aRollbackWhoseWindowEndsBeforeThePostSwitchDataIsRefusedWithNothingChanged() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      Cli.Run run = LmsctlProcess.run(SMOKE, "rollback", "--scenario", "B", "--env", Sandbox.ENV, "--trigger", "AUTO-001", "--kubeconfig",
          kubeconfig.toString(), "--out-dir", runDir.toString(), "--prometheus", "http://127.0.0.1:1/", "--window", "10s", "--lock-wait", "5s");

      assertEquals(2, run.exit(), run.out() + run.err());
      assertTrue(run.err().contains("--window: 10s ends before the first post-switch sample") && run.err().contains("allowed: 50s or more"), run.err());
      assertEquals(0, sandbox.cluster.blueShare(sandbox.env), "traffic is still where it was");
    }
  }

  @Test
  void aWindowThatEndsBeforeThePostSwitchDataIsRefusedByThePlan() throws Exception {
    Path file = plan("15s", "5s", "40s", "1m");
    var e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> new PlanLoader().load(file));
    assertTrue(e.getMessage().contains("verification.observationWindow") && e.getMessage().contains("allowed: 50s or more"), e.getMessage());
  }
}
