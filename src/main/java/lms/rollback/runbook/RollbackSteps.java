package lms.rollback.runbook;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import lms.rollback.cluster.BlueCapacity;
import lms.rollback.cluster.Cluster;
import lms.rollback.cluster.GreenShutdown;
import lms.rollback.cluster.RouteTable;
import lms.rollback.cluster.TrafficSwitch;
import lms.rollback.core.VerificationException;
import lms.rollback.plan.Environment;
import lms.rollback.plan.Plan;
import lms.rollback.verify.BlueVerifier;
import lms.rollback.verify.CheckResult;
import lms.rollback.verify.PrometheusClient;
import lms.rollback.verify.SmokeSuite;
import lms.rollback.plan.Scenario;
import lms.rollback.plan.StepAction;

/** The cluster-side executors of the scenario steps, for one environment. */
public final class RollbackSteps {

  private final Cluster cluster;
  private final String environment;
  private final Environment env;
  private final Path outDir;
  private final String trigger;
  private Probes probes;

  public RollbackSteps(Cluster cluster, String environment, Environment env, Path outDir, String trigger) {
    this.cluster = cluster;
    this.environment = environment;
    this.env = env;
    this.outDir = outDir;
    this.trigger = trigger;
  }

  /**
   * How Blue is probed over HTTP and Prometheus; without them the verify step is the cluster's
   * view only and confirm runs no smoke tests.
   */
  public record Probes(Plan plan, URI baseUrl, PrometheusClient prometheus, String expectedVersion, Duration window, Map<String, String> credentials) {}

  public RollbackSteps probes(Probes p) {
    this.probes = p;
    return this;
  }

  /** Registers the steps this class can execute on {@code runner}. */
  public ScenarioRunner register(ScenarioRunner runner) {
    return runner.on(StepAction.ANNOUNCE, this::announce)
        .on(StepAction.SWITCH_TRAFFIC, s -> switchTraffic())
        .on(StepAction.VERIFY_BLUE, s -> verifyBlueInCluster())
        .on(StepAction.STOP_GREEN, this::stopGreen)
        .on(StepAction.CONFIRM, s -> confirm());
  }

  private String announce(Scenario.Step step) {
    cluster.journal().append("announce", Map.of("environment", environment, "trigger", trigger,
        "message", "ROLLBACK INITIATED: switching " + environment + " traffic to Blue"));
    return "announced (see the war-room and status-page messages)";
  }

  private String switchTraffic() {
    TrafficSwitch.Result r = new TrafficSwitch(cluster).execute(new TrafficSwitch.Request(environment, env, null));
    return r.changed() ? String.join("; ", r.after()) : "already on Blue (no-op)";
  }

  /** The cluster's view of Blue's health; the HTTP and Prometheus checks are `lmsctl verify-blue`'s. */
  private String verifyBlueInCluster() {
    RouteTable routes = RouteTable.of(cluster.virtualService(env), env);
    if (!routes.matches(env.rollbackWeights())) {
      throw new VerificationException("traffic is not on Blue: " + String.join("; ", routes.describe()) + "; Green is left running");
    }
    BlueCapacity blue = BlueCapacity.of(cluster.deployment(env.namespace(), env.blue().deployment()), env);
    if (!blue.sufficient()) {
      throw new VerificationException("Blue is unhealthy after the switch: " + blue.describe() + "; Green is left running");
    }
    cluster.journal().append("verify.cluster", Map.of("blueReady", blue.ready(), "blueDesired", blue.desired(), "routes", routes.asData()));
    String cluster = "routes on Blue, " + blue.ready() + "/" + blue.desired() + " Blue replicas ready";
    if (probes == null) return cluster;
    List<CheckResult> checks = new BlueVerifier(probes.plan().verification(), this.cluster.journal(), this.cluster.progress())
        .verify(new BlueVerifier.Request(env, probes.baseUrl(), probes.prometheus(), probes.expectedVersion(), probes.window()));
    return cluster + "; " + summary(checks, "Blue is unhealthy after the switch", "; Green is left running");
  }

  private String stopGreen(Scenario.Step step) {
    GreenShutdown.Result r = new GreenShutdown(cluster).execute(new GreenShutdown.Request(environment, env, outDir, step.budget().limit()));
    return r.changed() ? r.replicasBefore() + " -> 0 replicas, " + r.preservedLogs().size() + " log(s) preserved, no Green pod left"
        : "already scaled to 0 (no-op)";
  }

  /** "6 of 6 checks passed", or a verification failure naming the checks that did not pass. */
  private static String summary(List<CheckResult> checks, String failure, String consequence) {
    List<String> bad = checks.stream().filter(c -> !c.passed()).map(c -> c.name() + " " + c.status()).toList();
    if (!bad.isEmpty()) throw new VerificationException(failure + ": " + String.join(", ", bad) + consequence);
    return checks.size() + " of " + checks.size() + " checks passed";
  }

  private String confirm() {
    int greenPods = cluster.pods(env.namespace(), env.green().podLabels()).size();
    RouteTable routes = RouteTable.of(cluster.virtualService(env), env);
    if (!routes.matches(env.rollbackWeights())) {
      throw new VerificationException("traffic moved away from Blue again: " + String.join("; ", routes.describe()));
    }
    var blue = cluster.deployment(env.namespace(), env.blue().deployment());
    var blueImages = blue.getSpec().getTemplate().getSpec().getContainers().stream().map(c -> c.getImage()).toList();
    cluster.journal().append("confirm", Map.of("greenPods", greenPods, "routes", routes.asData(), "blueImages", blueImages));
    String confirmed = "traffic on Blue" + (greenPods == 0 ? ", no Green pod running" : ", " + greenPods + " Green pod(s) still running");
    if (probes == null) return confirmed;
    List<CheckResult> smoke = new SmokeSuite(cluster.journal(), probes.credentials(), probes.plan().verification().requestTimeout().limit())
        .run(probes.baseUrl(), probes.plan().smokeChecks());
    return confirmed + "; smoke " + summary(smoke, "post-rollback smoke tests failed", "");
  }
}
