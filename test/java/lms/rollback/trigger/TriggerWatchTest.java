package lms.rollback.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import lms.rollback.cluster.TrafficSwitch;
import lms.rollback.plan.Plan;
import lms.rollback.testing.Ports;
import lms.rollback.testing.MetricsExporter;
import lms.rollback.testing.MetricsExporter.Traffic;
import lms.rollback.testing.PrometheusServer;
import lms.rollback.testing.Sandbox;
import lms.rollback.testing.TestPlans;
import lms.rollback.verify.PrometheusClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** §2.1 and §2.2 against a real Prometheus: sustained means sustained, and only AUTO triggers act. */
class TriggerWatchTest {

  static final Plan PLAN = TestPlans.fast();
  static final Traffic HEALTHY = new Traffic(40, 0.2, 0.08, 0);
  static final Duration INTERVAL = Duration.ofSeconds(1);

  @TempDir static Path promDir;
  static MetricsExporter exporter;
  static PrometheusServer prometheus;

  @TempDir Path out;
  Sandbox sandbox;

  @BeforeAll
  static void start() throws Exception {
    if (!lms.rollback.testing.Tool.PROMETHEUS.present()) return; // each test says why it is skipped
    exporter = new MetricsExporter().set("lms-green", HEALTHY).set("lms-blue", HEALTHY);
    prometheus = PrometheusServer.scraping(exporter.target(), promDir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (prometheus != null) prometheus.close();
    if (exporter != null) exporter.close();
  }

  @BeforeEach
  void healthyGreen() throws Exception {
    lms.rollback.testing.Tool.PROMETHEUS.require();
    exporter.set("lms-green", HEALTHY).securityAlerts(0);
    // let the previous test's traffic leave the rate window, then wait for a clear state
    Thread.sleep(PLAN.verification().rateWindow().limit().toMillis() + 1500);
    sandbox = Sandbox.start(out);
  }

  @AfterEach
  void close() {
    if (sandbox != null) sandbox.close();
  }

  TriggerWatch watch(String prometheusUrl) {
    return new TriggerWatch(PLAN, new TriggerEvaluator(PLAN.verification(), new PrometheusClient(prometheusUrl, Duration.ofSeconds(2))),
        sandbox.journal, sandbox.progress::add, Clock.systemUTC());
  }

  TriggerWatch.Result run(TriggerWatch w, Duration duration, boolean dryRun, AtomicInteger switches) {
    return w.watch("production", sandbox.env, INTERVAL, duration, dryRun, e -> {
      switches.incrementAndGet();
      return String.join("; ", new TrafficSwitch(sandbox.engine()).execute(new TrafficSwitch.Request("production", sandbox.env, null)).after());
    });
  }

  boolean onBlue() {
    return sandbox.virtualServiceJson().path("spec").path("http").get(0).path("route").get(0).path("weight").asInt() == 100;
  }

  @Test
  void aSpikeThatIsNotSustainedTriggersNothing() throws Exception {
    // Given a one-second burst of errors on Green
    exporter.set("lms-green", new Traffic(40, 60, 0.08, 0));
    Thread.sleep(1000);
    exporter.set("lms-green", HEALTHY);
    AtomicInteger switches = new AtomicInteger();

    // When the watch runs longer than AUTO-001's window
    TriggerWatch.Result r = run(watch(prometheus.url()), Duration.ofSeconds(16), false, switches);

    // Then
    assertEquals(TriggerWatch.Outcome.quiet, r.outcome(), String.valueOf(r.evidence()));
    assertEquals(0, switches.get());
    assertFalse(onBlue());
    // and the journal holds what changed, not each of the ~16 rounds: one first state per trigger, then changes
    var changes = sandbox.journal.read().stream().filter(e -> e.type().equals("trigger.changed")).toList();
    int watched = watch(prometheus.url()).measurable().size();
    assertTrue(changes.size() >= watched && changes.size() < watched + 4, changes.toString());
    assertTrue(r.rounds() >= 10, "it did watch round after round: " + r.rounds());
  }

  @Test
  void aSustainedErrorSpikeRollsBackWithoutApproval() {
    exporter.set("lms-green", new Traffic(40, 20, 0.08, 0));
    AtomicInteger switches = new AtomicInteger();

    TriggerWatch.Result r = run(watch(prometheus.url()), Duration.ofSeconds(40), false, switches);

    assertEquals(TriggerWatch.Outcome.rolled_back, r.outcome());
    assertEquals("AUTO-001", r.evidence().trigger());
    assertTrue(r.evidence().samples() >= 12, r.evidence().toString());
    assertEquals(1, switches.get());
    assertTrue(onBlue(), "the sandbox VirtualService was switched");
    var fired = sandbox.journal.read().stream().filter(e -> e.type().equals("trigger.fired")).findFirst().orElseThrow();
    assertTrue(fired.data().path("query").asText().contains("http_requests_total"), "evidence carries the query");
  }

  @Test
  void zeroSuccessRollsBackOnAuto002() {
    exporter.set("lms-green", new Traffic(40, 100, 0.08, 0));

    TriggerWatch.Result r = run(watch(prometheus.url()), Duration.ofSeconds(40), false, new AtomicInteger());

    assertEquals(TriggerWatch.Outcome.rolled_back, r.outcome());
    assertEquals("AUTO-002", r.evidence().trigger());
  }

  @Test
  void aGreenThatAnswersNothingWhileRoutedTrafficRollsBackOnAuto002() throws Exception {
    // Given a Green that is down hard: no request counted at all, so the success ratio is 0/0 = NaN
    exporter.set("lms-green", new Traffic(0, 0, 0.08, 0));
    Thread.sleep(PLAN.verification().rateWindow().limit().toMillis() + PLAN.trigger("AUTO-002").measure().sustainedFor().limit().toMillis() + 1000);
    TriggerEvaluator unrouted = new TriggerEvaluator(PLAN.verification(), new PrometheusClient(prometheus.url(), Duration.ofSeconds(2)))
        .routedToGreen(() -> 0);

    // Then with no traffic routed to Green, NaN is no evidence
    assertEquals(Evaluation.State.unknown, unrouted.evaluate(PLAN.trigger("AUTO-002"), sandbox.env, Instant.now()).state());

    // and while the routes send Green everything, it is 0 % success: the watch rolls back
    TriggerWatch w = new TriggerWatch(PLAN, new TriggerEvaluator(PLAN.verification(), new PrometheusClient(prometheus.url(), Duration.ofSeconds(2)))
        .routedToGreen(() -> lms.rollback.cluster.RouteTable.of(sandbox.virtualService(), sandbox.env).maxGreenShare()),
        sandbox.journal, sandbox.progress::add, Clock.systemUTC());
    TriggerWatch.Result r = run(w, Duration.ofSeconds(20), false, new AtomicInteger());

    assertEquals(TriggerWatch.Outcome.rolled_back, r.outcome(), String.valueOf(r.evidence()));
    assertEquals("AUTO-002", r.evidence().trigger());
    assertTrue(r.evidence().detail().contains("without a number while Green is routed traffic, taken as 0.0"), r.evidence().detail());
    assertTrue(onBlue());
  }

  @Test
  void anElevatedErrorRateOnlyRecommendsAndSwitchesNothing() {
    exporter.set("lms-green", new Traffic(40, 3, 0.08, 0));
    AtomicInteger switches = new AtomicInteger();

    TriggerWatch.Result r = run(watch(prometheus.url()), Duration.ofSeconds(40), false, switches);

    assertEquals(TriggerWatch.Outcome.recommendation, r.outcome());
    assertEquals("MAN-001", r.evidence().trigger());
    assertEquals(0, switches.get());
    assertFalse(onBlue());
    assertTrue(r.recommendation().toString().contains("Release Commander"), r.recommendation().toString());
  }

  @Test
  void aManualTriggerIsAlertedOnceEscalatedOnceAndAnAutomaticOneStillRollsBackAfterIt() throws Exception {
    // Given MAN-001 decided within 6s (the plan's 5m, shortened), and Green erring at 3 %, then at 8 %
    Plan plan = new lms.rollback.plan.PlanLoader().parse(TestPlans.fastYaml().replace(
        "{ id: MAN-001, type: technical, condition: \"Elevated error rate\",            threshold: \"1-5% sustained\",               decisionTime: 5m",
        "{ id: MAN-001, type: technical, condition: \"Elevated error rate\",            threshold: \"1-5% sustained\",               decisionTime: 6s")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8), "MAN-001 in 6s");
    assertEquals(Duration.ofSeconds(6), new lms.rollback.gate.Authority(plan).gateFor("MAN-001", null).levels().get(0).window());
    exporter.set("lms-green", new Traffic(40, 3, 0.08, 0));
    java.util.List<String> told = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    TriggerWatch.Alerts alerts = new TriggerWatch.Alerts() {
      @Override
      public void manual(java.util.Map<String, Object> recommendation, boolean escalated) {
        told.add(recommendation.get("trigger") + (escalated ? " escalated" : " alerted"));
        if (escalated) exporter.set("lms-green", new Traffic(40, 20, 0.08, 0));
      }

      @Override
      public void blocked(Evaluation held, String why) {
        told.add("blocked");
      }
    };
    AtomicInteger switches = new AtomicInteger();
    TriggerWatch w = new TriggerWatch(plan, new TriggerEvaluator(plan.verification(), new PrometheusClient(prometheus.url(), Duration.ofSeconds(2))),
        sandbox.journal, sandbox.progress::add, Clock.systemUTC());

    // When the watch runs
    TriggerWatch.Result r = w.watch("production", sandbox.env, INTERVAL, Duration.ofSeconds(90), false, e -> {
      switches.incrementAndGet();
      return String.join("; ", new TrafficSwitch(sandbox.engine()).execute(new TrafficSwitch.Request("production", sandbox.env, null)).after());
    }, alerts);

    // Then MAN-001 was alerted once and escalated once while the watch went on, and AUTO-001 rolled back after it
    assertEquals(java.util.List.of("MAN-001 alerted", "MAN-001 escalated"), told.subList(0, 2), told.toString());
    assertEquals(2, told.size(), told.toString());
    assertEquals(TriggerWatch.Outcome.rolled_back, r.outcome(), String.valueOf(r.evidence()));
    assertEquals("AUTO-001", r.evidence().trigger());
    assertEquals(1, switches.get());
    assertTrue(onBlue());
  }

  @Test
  void anAutomaticRollbackThatCannotStartIsToldOnceAndTheWatchGoesOn() {
    // Given AUTO-001 holding, and the environment held by a run that is mid-step for the first three attempts
    exporter.set("lms-green", new Traffic(40, 20, 0.08, 0));
    AtomicInteger attempts = new AtomicInteger();
    java.util.List<String> told = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    TriggerWatch.Alerts alerts = new TriggerWatch.Alerts() {
      @Override
      public void manual(java.util.Map<String, Object> recommendation, boolean escalated) {}

      @Override
      public void blocked(Evaluation held, String why) {
        told.add(held.trigger() + ": " + why);
      }
    };

    // When the watch runs
    TriggerWatch.Result r = watch(prometheus.url()).watch("production", sandbox.env, INTERVAL, Duration.ofSeconds(60), false, e -> {
      if (attempts.incrementAndGet() <= 3) throw new TriggerWatch.Blocked("environment is locked: lease held by 'build 7'");
      return "switched";
    }, alerts);

    // Then the war room heard it once, and the rollback ran once the environment was free
    assertEquals(java.util.List.of("AUTO-001: environment is locked: lease held by 'build 7'"), told);
    assertEquals(4, attempts.get());
    assertEquals(TriggerWatch.Outcome.rolled_back, r.outcome());
    assertTrue(sandbox.journal.read().stream().filter(e -> e.type().equals("trigger.blocked")).count() == 3);
  }

  @Test
  void aCriticalSecurityAlertRollsBackOnAuto004() {
    exporter.securityAlerts(1);

    TriggerWatch.Result r = run(watch(prometheus.url()), Duration.ofSeconds(30), false, new AtomicInteger());

    assertEquals(TriggerWatch.Outcome.rolled_back, r.outcome());
    assertEquals("AUTO-004", r.evidence().trigger());
  }

  @Test
  void dryRunReportsWhatWouldHappenAndChangesNothing() {
    exporter.set("lms-green", new Traffic(40, 100, 0.08, 0));
    AtomicInteger switches = new AtomicInteger();

    TriggerWatch.Result r = run(watch(prometheus.url()), Duration.ofSeconds(40), true, switches);

    assertEquals(TriggerWatch.Outcome.would_roll_back, r.outcome());
    assertEquals(0, switches.get());
    assertFalse(onBlue());
  }

  @Test
  void prometheusDownNeverRollsBack() throws Exception {
    int closed = Ports.closed();
    AtomicInteger switches = new AtomicInteger();

    TriggerWatch.Result r = run(watch("http://127.0.0.1:" + closed + "/"), Duration.ofSeconds(3), false, switches);

    assertEquals(TriggerWatch.Outcome.quiet, r.outcome());
    assertEquals(0, switches.get());
    assertTrue(sandbox.progress.stream().anyMatch(l -> l.contains("AUTO-001 unknown") && l.contains("unreachable")), sandbox.progress.toString());
    // each trigger's unknown state is journaled once, with why, however many rounds it lasted
    var auto001 = sandbox.journal.read().stream()
        .filter(e -> e.type().equals("trigger.changed") && e.data().path("trigger").asText().equals("AUTO-001")).toList();
    assertEquals(1, auto001.size(), auto001.toString());
    assertEquals("unknown", auto001.get(0).data().path("to").asText());
    assertTrue(auto001.get(0).data().path("detail").asText().contains("unreachable"), auto001.toString());
    assertTrue(r.rounds() >= 2, "several rounds: " + r.rounds());
  }

  @Test
  void man002ComparesWithBluesLatencyBeforeTheReleaseAndSaysWhichBaselineItUsed() throws Exception {
    // Given Blue answering in ~80 ms all along, and Green now in ~400 ms: under 2x the plan's 500 ms, over 2x Blue's
    exporter.set("lms-green", new Traffic(40, 0.2, 0.4, 0));
    Thread.sleep(PLAN.verification().rateWindow().limit().toMillis() + 6000);
    // "released" so that a minute before it is a moment this Prometheus has Blue's history for
    Instant released = Instant.now().plusSeconds(55);

    Evaluation measured = new TriggerEvaluator(PLAN.verification(), new PrometheusClient(prometheus.url(), Duration.ofSeconds(2)))
        .releasedAt(released).evaluate(PLAN.trigger("MAN-002"), sandbox.env, Instant.now());
    Evaluation planned = new TriggerEvaluator(PLAN.verification(), new PrometheusClient(prometheus.url(), Duration.ofSeconds(2)))
        .releasedAt(Instant.now().minus(Duration.ofDays(365))).evaluate(PLAN.trigger("MAN-002"), sandbox.env, Instant.now());

    // Then against Blue's measured p95 it holds, and says so; with no history it falls back to the plan's number, and says that
    assertEquals(Evaluation.State.holds, measured.state(), measured.toString());
    assertTrue(measured.condition().contains("(baseline measured: lms-blue at "), measured.condition());
    assertEquals(Evaluation.State.clear, planned.state(), planned.toString());
    assertTrue(planned.condition().contains("(baseline the plan's 500ms: Prometheus has no p95Seconds of lms-blue before the release)"), planned.condition());
  }

  @Test
  void aRestartedWatchDoesNotResetTheClock() throws Exception {
    // Given errors that have already been sustained for longer than AUTO-001's window
    exporter.set("lms-green", new Traffic(40, 20, 0.08, 0));
    Thread.sleep(PLAN.trigger("AUTO-001").measure().sustainedFor().limit().toMillis() + PLAN.verification().rateWindow().limit().toMillis() + 2000);

    // When a freshly started evaluator looks once
    Evaluation e = new TriggerEvaluator(PLAN.verification(), new PrometheusClient(prometheus.url(), Duration.ofSeconds(2)))
        .evaluate(PLAN.trigger("AUTO-001"), sandbox.env, Instant.now());

    // Then it holds at once
    assertEquals(Evaluation.State.holds, e.state(), e.toString());
  }
}
