package lms.rollback.runbook;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Event;
import lms.rollback.cluster.BlueCapacity;
import lms.rollback.cluster.ClusterSession;
import lms.rollback.cluster.GreenShutdown;
import lms.rollback.cluster.RouteTable;
import lms.rollback.cluster.TrafficSwitch;
import lms.rollback.core.VerificationException;
import lms.rollback.plan.Environment;
import lms.rollback.plan.Plan;
import lms.rollback.plan.Scenario;
import lms.rollback.plan.StepAction;
import lms.rollback.verify.BlueVerifier;
import lms.rollback.verify.CheckResult;
import lms.rollback.verify.PrometheusClient;
import lms.rollback.verify.SmokeSuite;

/** The cluster-side executors of the scenario steps, for one environment. */
public final class RollbackSteps {

  private final ClusterSession cluster;
  private final String environmentName;
  private final Environment environment;
  private final Path outDir;
  private final String trigger;
  private Probes probes;
  private DatabaseSteps database;
  private String redeployImage;

  public RollbackSteps(ClusterSession cluster, String environmentName, Environment environment, Path outDir, String trigger) {
    this.cluster = cluster;
    this.environmentName = environmentName;
    this.environment = environment;
    this.outDir = outDir;
    this.trigger = trigger;
  }

  /**
   * How Blue is probed over HTTP and Prometheus; without them the verify step is the cluster's
   * view only and confirm runs no smoke tests.
   */
  private String errorLogPattern = lms.rollback.plan.RunbookTables.Verification.DEFAULT_ERROR_LOG_PATTERN;

  public record Probes(Plan plan, URI baseUrl, PrometheusClient prometheus, String expectedVersion, Duration window, Map<String, String> credentials) {}

  /** The plan's pattern for an error line in Blue's log (§4.2 step 1). */
  public RollbackSteps errorLogPattern(String pattern) {
    this.errorLogPattern = pattern;
    return this;
  }

  public RollbackSteps probes(Probes p) {
    this.probes = p;
    return this;
  }

  /** The database side, for scenarios C and D. */
  public RollbackSteps database(DatabaseSteps steps) {
    this.database = steps;
    return this;
  }

  /** Scenario D's "last known good" image; null keeps the one Blue runs. */
  public RollbackSteps redeployImage(String image) {
    this.redeployImage = image;
    return this;
  }

  /** Registers the steps this class can execute on {@code runner}, with the checks that tell a finished step is still done. */
  public RunStateMachine register(RunStateMachine runner) {
    runner.on(StepAction.ANNOUNCE, this::announce)
        .on(StepAction.SWITCH_TRAFFIC, s -> switchTraffic())
        .on(StepAction.VERIFY_BLUE, s -> verifyBlue())
        .on(StepAction.STOP_GREEN, this::stopGreen)
        .on(StepAction.CONFIRM, s -> confirm())
        .on(StepAction.ESCALATE, this::escalate)
        .on(StepAction.MAINTENANCE_ON, s -> maintenanceOn())
        .on(StepAction.REDEPLOY_BLUE, this::redeployBlue)
        .on(StepAction.VERIFY_RESTORE, s -> verifyRestore())
        .stillDone(StepAction.SWITCH_TRAFFIC, this::stillOnBlue)
        .stillDone(StepAction.VERIFY_BLUE, this::blueStillServing)
        .checkedAgainAfterACrash(StepAction.VERIFY_BLUE)
        .stillDone(StepAction.STOP_GREEN, this::greenStillDown)
        .stillDone(StepAction.MAINTENANCE_ON, this::stillInMaintenance)
        .undoneOnPurpose(StepAction.MAINTENANCE_ON, StepAction.VERIFY_RESTORE, "§5.4 step 5 takes LMS out of maintenance onto the restored Blue")
        .stillDone(StepAction.VERIFY_RESTORE, this::restoredBlueServing)
        .beforeCompleting(this::asThisRunLeftIt);
    return database == null ? runner : database.register(runner);
  }

  /**
   * The run watches what it changed (#38 item 3): before "Confirm success" and before the run is called complete, the
   * routes are still on Blue if this run put them there, and Green is still at 0 replicas with no pod if this run scaled
   * it down. A change by anyone else — Argo CD's self-heal, an HPA, a person — stops the run and is named as that, with
   * the writer and time the API server recorded (never as Blue's health).
   */
  String asThisRunLeftIt() {
    Instant routed = null;
    Instant stopped = null;
    for (var e : lms.rollback.audit.RunLog.read(cluster.journal()).sinceLastStart()) {
      if (e.is(Event.SWITCH_AFTER) || e.is(Event.SWITCH_NOOP) || e.is(Event.MAINTENANCE_OFF)) routed = e.ts();
      if (e.is(Event.MAINTENANCE_ON)) routed = null;
      if (e.is(Event.STOP_GREEN_DONE) || e.is(Event.STOP_GREEN_NOOP)) stopped = e.ts();
    }
    List<String> seen = new java.util.ArrayList<>();
    if (routed != null) {
      var vs = cluster.virtualService(environment);
      RouteTable routes = RouteTable.of(vs, environment);
      if (!routes.onBlue(environment)) throw new VerificationException(BlueChecks.changedAfterTheSwitch(vs, routes, environment, routed));
      seen.add("traffic still on Blue");
    }
    if (stopped != null) {
      var green = cluster.deployment(environment.namespace(), environment.green().deployment());
      int replicas = ClusterSession.replicas(green);
      int pods = cluster.pods(environment.namespace(), environment.green().podLabels()).size();
      if (replicas != 0) {
        throw new VerificationException("Green was scaled back to " + replicas + " " + lms.rollback.cluster.OtherWriter.of(green, stopped)
            + " after this run scaled it to 0" + (pods == 0 ? "" : " (" + pods + " Green pod(s) present)")
            + "; Green serves the bad release again: scale it to 0 and stop whatever scales it (Argo CD self-heal, an HPA)");
      }
      if (pods != 0) throw new VerificationException(pods + " Green pod(s) present although Green is at 0 replicas and this run saw its last pod go");
      seen.add("Green still at 0 replicas, no pod");
    }
    return seen.isEmpty() ? "nothing this run changed to watch" : String.join(", ", seen);
  }

  private String stillOnBlue() {
    RouteTable routes = RouteTable.of(cluster.virtualService(environment), environment);
    if (!routes.onBlue(environment)) throw new VerificationException("traffic is not on Blue: " + String.join("; ", routes.describe()));
    return String.join("; ", routes.describe());
  }

  /** Between two calls of a run Blue can fail: what was verified must still be true before a later step acts on it. */
  private String blueStillServing() {
    String routes = stillOnBlue();
    BlueCapacity blue = BlueCapacity.of(cluster, environment);
    if (!blue.sufficient()) throw new VerificationException("Blue is no longer healthy: " + blue.describe());
    return routes + "; " + blue.ready() + "/" + blue.desired() + " Blue replicas ready";
  }

  private String greenStillDown() {
    int replicas = ClusterSession.replicas(cluster.deployment(environment.namespace(), environment.green().deployment()));
    int pods = cluster.pods(environment.namespace(), environment.green().podLabels()).size();
    if (replicas != 0 || pods != 0) throw new VerificationException("Green has " + replicas + " replica(s) and " + pods + " pod(s)");
    return "Green at 0 replicas, no pod";
  }

  /** After verify-restore: out of maintenance, traffic on Blue, Blue ready (what stop-green then relies on). */
  private String restoredBlueServing() {
    if (lms.rollback.cluster.MaintenanceMode.active(cluster.virtualService(environment))) throw new VerificationException("maintenance mode is on again");
    return blueStillServing();
  }

  private String stillInMaintenance() {
    if (!lms.rollback.cluster.MaintenanceMode.active(cluster.virtualService(environment))) throw new VerificationException("maintenance mode is off");
    return "maintenance mode on";
  }

  /** §5.4 step 1: the decision to restore is the executive level's; the run records that it was escalated. */
  private String escalate(Scenario.Step step) {
    cluster.journal().append(Event.ESCALATION, Map.of("environment", environmentName, "trigger", trigger, "to", "Executive Escalation (§3.3)",
        "why", "scenario D: emergency restore from backup"));
    return "escalated to the executive level (§3.3 Executive Escalation)";
  }

  private String maintenanceOn() {
    var r = new lms.rollback.cluster.MaintenanceMode(cluster).enter(environment);
    return (r.changed() ? "LMS routes sent to " + environment.maintenanceHost() : "already in maintenance (no-op)") + ": " + String.join("; ", r.routes());
  }

  private String redeployBlue(Scenario.Step step) {
    var r = new lms.rollback.cluster.BlueRedeploy(cluster).execute(environment, redeployImage, step.budget().limit());
    return "Blue redeployed with " + r.image() + ", " + r.replicas() + " replica(s) ready";
  }

  /** §5.4 step 5: Blue ready and the data intact, then out of maintenance onto Blue, then the smoke tests. */
  private String verifyRestore() {
    BlueCapacity blue = BlueCapacity.of(cluster, environment);
    if (!blue.sufficient()) throw new VerificationException("Blue is not ready after the redeploy: " + blue.describe() + "; maintenance mode stays on");
    String data = database == null ? "no database checks" : database.integrity();
    var left = new lms.rollback.cluster.MaintenanceMode(cluster).leave(environment);
    String routed = left.changed() ? "maintenance off, traffic on Blue" : "not in maintenance";
    if (probes == null) {
      notMade("verify-restore", SMOKE, "--cluster-only");
      return blue.ready() + "/" + blue.desired() + " Blue replicas ready; " + data + "; " + routed + "; not checked (--cluster-only): " + String.join(", ", SMOKE);
    }
    List<CheckResult> smoke = new SmokeSuite(cluster.journal(), probes.credentials(), probes.plan().verification().requestTimeout().limit())
        .run(probes.baseUrl(), probes.plan().smokeChecks());
    return blue.ready() + "/" + blue.desired() + " Blue replicas ready; " + data + "; " + routed + "; smoke "
        + summary(smoke, "smoke tests failed after the restore", "");
  }

  private String announce(Scenario.Step step) {
    cluster.journal().append(Event.ANNOUNCE, Map.of("environment", environmentName, "trigger", trigger,
        "message", "ROLLBACK INITIATED: switching " + environmentName + " traffic to Blue"));
    return "announced (see the war-room and status-page messages)";
  }

  private String switchTraffic() {
    TrafficSwitch.Result r = new TrafficSwitch(cluster).execute(new TrafficSwitch.Request(environmentName, environment, null));
    return r.changed() ? String.join("; ", r.after()) : "already on Blue (no-op)";
  }

  /** §4.2 step 2: the checks `lmsctl verify-blue` makes too ({@link BlueChecks}), each journaled; one that does not pass leaves Green running. */
  private String verifyBlue() {
    Instant switchedAt = switchedAt();
    BlueVerifier.Request request = probes == null ? null : new BlueVerifier.Request(environment, probes.baseUrl(), probes.prometheus(),
        probes.expectedVersion(), probes.window(), switchedAt, cluster.pods(environment.namespace(), environment.green().podLabels()).size());
    BlueChecks.Verdicts verdicts = BlueChecks.afterTheSwitch(cluster, environment, switchedAt, probes == null ? null : probes.plan(), errorLogPattern,
        request);
    CheckResult unserved = verdicts.notServing();
    if (unserved != null) throw new VerificationException(unserved.detail() + "; Green is left running");
    List<CheckResult> all = verdicts.list();
    String checked = "routes on Blue, " + verdicts.get(BlueChecks.CAPACITY).measured() + " Blue replicas ready";
    CheckResult logs = verdicts.get(BlueChecks.LOGS);
    if (probes == null && !logs.passed()) {
      throw new VerificationException("Blue is unhealthy after the switch: " + logs.name() + " " + logs.status() + " (" + logs.measured()
          + (logs.detail() == null || logs.detail().isBlank() ? "" : "; " + logs.detail()) + "); Green is left running");
    }
    if (probes == null) {
      notMade("verify-blue", BLUE_PROBES, "--cluster-only");
      return checked + ", " + logs.measured() + " matching errors; not checked (--cluster-only): " + String.join(", ", BLUE_PROBES);
    }
    List<CheckResult> undecided = all.stream().filter(c -> !c.passed()).toList();
    if (!undecided.isEmpty() && undecided.stream().allMatch(c -> c.status() == CheckResult.Status.inconclusive)) {
      // nothing failed, something could not be measured (Prometheus down, no samples): Blue is not unhealthy, it is
      // unverified — traffic stays on it, Green stays up, and every message says which checks could not be made
      notMade("verify-blue", undecided.stream().map(CheckResult::name).toList(), "inconclusive: " + String.join("; ",
          undecided.stream().map(c -> c.detail() == null || c.detail().isBlank() ? c.name() : c.detail()).distinct().toList()));
      throw new VerificationException("switched, unverified: " + String.join(", ", undecided.stream().map(CheckResult::name).toList())
          + " could not be decided; traffic stays on Blue and Green is left running until a person confirms Blue");
    }
    return checked + "; " + summary(all, "Blue is unhealthy after the switch", "; Green is left running");
  }

  /** This run's switch (or its start, when the switch was a no-op): Blue's errors and Green's traffic before it are not evidence. */
  private Instant switchedAt() {
    Instant from = null;
    for (var e : lms.rollback.audit.RunLog.read(cluster.journal()).sinceLastStart()) {
      if (e.is(Event.SCENARIO_START) || e.is(Event.SWITCH_AFTER)) from = e.ts();
    }
    return from == null ? Instant.now().minus(Duration.ofMinutes(5)) : from;
  }

  private String stopGreen(Scenario.Step step) {
    GreenShutdown.Result r = new GreenShutdown(cluster).execute(new GreenShutdown.Request(environmentName, environment, outDir, step.budget().limit()));
    return r.changed() ? r.replicasBefore() + " -> 0 replicas, " + r.preservedLogs().size() + " log(s) preserved, no Green pod left"
        : "already scaled to 0 (no-op)";
  }

  /** What a run without probes (--cluster-only) cannot check: from the cluster, Blue's pods and routes are all it sees. */
  private static final List<String> BLUE_PROBES = List.of("Blue's health and version (HTTP)", "database connectivity (HTTP)",
      "Blue's error rate, p95 latency and Green's traffic (Prometheus)");
  private static final List<String> SMOKE = List.of("the smoke tests (§4.2 step 4)");

  /** Journals what this step could not check, so that nothing after calls the service verified (#36). */
  private void notMade(String step, List<String> checks, String why) {
    cluster.journal().append(Event.CHECKS_NOT_MADE, Map.of("step", step, "checks", checks, "why", why));
  }

  /** "6 of 6 checks passed", or a verification failure naming the checks that did not pass. */
  private static String summary(List<CheckResult> checks, String failure, String consequence) {
    List<String> bad = checks.stream().filter(c -> !c.passed()).map(c -> c.name() + " " + c.status()).toList();
    if (!bad.isEmpty()) throw new VerificationException(failure + ": " + String.join(", ", bad) + consequence);
    return checks.size() + " of " + checks.size() + " checks passed";
  }

  private String confirm() {
    asThisRunLeftIt();
    int greenPods = cluster.pods(environment.namespace(), environment.green().podLabels()).size();
    RouteTable routes = RouteTable.of(cluster.virtualService(environment), environment);
    if (!routes.onBlue(environment)) {
      throw new VerificationException("traffic moved away from Blue again: " + String.join("; ", routes.describe()));
    }
    var blue = cluster.deployment(environment.namespace(), environment.blue().deployment());
    var blueImages = blue.getSpec().getTemplate().getSpec().getContainers().stream().map(c -> c.getImage()).toList();
    cluster.journal().append(Event.CONFIRM, Map.of("greenPods", greenPods, "routes", routes.asData(), "blueImages", blueImages));
    String confirmed = "traffic on Blue" + (greenPods == 0 ? ", no Green pod running" : ", " + greenPods + " Green pod(s) still running");
    if (probes == null) {
      notMade("confirm", SMOKE, "--cluster-only");
      return confirmed + "; not checked (--cluster-only): " + String.join(", ", SMOKE);
    }
    List<CheckResult> smoke = new SmokeSuite(cluster.journal(), probes.credentials(), probes.plan().verification().requestTimeout().limit())
        .run(probes.baseUrl(), probes.plan().smokeChecks());
    return confirmed + "; smoke " + summary(smoke, "post-rollback smoke tests failed", "");
  }
}
