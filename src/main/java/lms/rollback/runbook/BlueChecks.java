package lms.rollback.runbook;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.cluster.BlueCapacity;
import lms.rollback.cluster.BlueLogScan;
import lms.rollback.cluster.ClusterSession;
import lms.rollback.cluster.RouteTable;
import lms.rollback.plan.Environment;
import lms.rollback.plan.Plan;
import lms.rollback.verify.BlueVerifier;
import lms.rollback.verify.CheckResult;
import lms.rollback.verify.Checks;

/**
 * §4.2 steps 1–2's checks of Blue after the switch, as one list for the run's verify step and for `lmsctl verify-blue`
 * (so `lmsVerifyBlue`) alike: the cluster's view first (traffic 100 % on Blue, enough Blue replicas ready), then health,
 * version, status and Prometheus over the window (when probes are given), and "no new errors in Blue logs" over the
 * whole window since the switch. A Blue the cluster does not route to, or cannot serve from, is not observed for a
 * window: the list ends there.
 */
public final class BlueChecks {
  private BlueChecks() {}

  public static final String ROUTES = "Traffic 100% on Blue";
  public static final String CAPACITY = "Blue replicas ready";

  /** The log scan's verdict: "no new errors in Blue logs". */
  public static final String LOGS = BlueLogScan.CHECK;

  /**
   * The checks' verdicts by name, in the order they were made: a caller asks for {@link #CAPACITY} or {@link #LOGS} by
   * name, so a check the plan adds anywhere changes nothing for it.
   */
  public record Verdicts(Map<String, CheckResult> byName) {
    public Verdicts {
      byName = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byName));
    }

    static Verdicts of(List<CheckResult> made) {
      Map<String, CheckResult> byName = new LinkedHashMap<>();
      for (CheckResult c : made) {
        // the validator keeps the plan's check names apart; two checks of one name would hide one verdict
        if (byName.putIfAbsent(c.name(), c) != null) throw new IllegalStateException("two checks are named '" + c.name() + "'");
      }
      return new Verdicts(byName);
    }

    /** The verdict of the check named {@code name}, or null when it was not made (the list ends at a Blue not served). */
    public CheckResult get(String name) {
      return byName.get(name);
    }

    public List<CheckResult> list() {
      return List.copyOf(byName.values());
    }

    /** The first verdict that shows the cluster does not serve from Blue, or null. */
    public CheckResult notServing() {
      return java.util.stream.Stream.of(get(ROUTES), get(CAPACITY)).filter(c -> c != null && !c.passed()).findFirst().orElse(null);
    }
  }

  /** {@code plan} and {@code probes}: the HTTP and Prometheus checks to make, or null on a cluster-only run (the log scan is always made). */
  public static Verdicts afterTheSwitch(ClusterSession cluster, Environment env, Instant switchedAt, Plan plan, String errorLogPattern,
      BlueVerifier.Request probes) {
    List<CheckResult> all = new ArrayList<>(inTheCluster(cluster, env, switchedAt));
    if (all.stream().anyMatch(c -> !c.passed())) return Verdicts.of(all);
    if (probes != null) all.addAll(new BlueVerifier(plan.verification(), plan.time(), cluster.journal(), cluster.progress()).verify(probes));
    // read after the window, streamed: every line Blue logged since the switch
    all.add(Checks.journal(cluster.journal(), BlueVerifier.SUITE,
        new BlueLogScan(cluster, errorLogPattern).scan(env, Duration.between(switchedAt, Instant.now()))));
    // the routes again after the window: a controller that put them back on Green meanwhile made Green's traffic and
    // Blue's metrics say nothing about Blue (#38 item 7); that change is what the run reports
    var vs = cluster.virtualService(env);
    RouteTable now = RouteTable.of(vs, env);
    if (!now.onBlue(env)) {
      String seen = String.join("; ", now.describe());
      // the routes' verdict is the one read last: the pass before the window no longer holds
      all.removeIf(c -> c.name().equals(ROUTES));
      all.add(0, Checks.journal(cluster.journal(), BlueVerifier.SUITE,
          CheckResult.fail(ROUTES, seen, "the rollback's weights", 0, changedAfterTheSwitch(vs, now, env, switchedAt))));
    }
    return Verdicts.of(all);
  }

  /**
   * Why routes that the switch put on Blue are not there now: someone else changed them after the switch, named with
   * what the API server recorded of the writer ("the VirtualService production/lms-vs was put back on Green by another
   * writer, argocd-application-controller, at 13:02:11 UTC after the switch: http[0]: lms-blue 0%, lms-green 100%").
   */
  public static String changedAfterTheSwitch(io.fabric8.istio.api.networking.v1.VirtualService vs, RouteTable routes, Environment env,
      Instant switchedAt) {
    return "the routes were changed by another writer after the switch: the VirtualService " + routes.qualifiedName()
        + (routes.maxGreenShare() > 0 ? " was put back on Green " : " was changed ") + lms.rollback.cluster.OtherWriter.of(vs, switchedAt)
        + ": " + String.join("; ", routes.describe()) + " (the rollback's weights: " + env.blue().host() + " " + env.rollbackWeights().blue()
        + "%, " + env.green().host() + " " + env.rollbackWeights().green() + "%)";
  }

  private static CheckResult routed(ClusterSession cluster, Environment env, Instant switchedAt) {
    long started = System.currentTimeMillis();
    var vs = cluster.virtualService(env);
    RouteTable routes = RouteTable.of(vs, env);
    String seen = String.join("; ", routes.describe());
    CheckResult routed = routes.onBlue(env)
        ? CheckResult.pass(ROUTES, seen, "the rollback's weights", System.currentTimeMillis() - started)
        : CheckResult.fail(ROUTES, seen, "the rollback's weights", System.currentTimeMillis() - started,
            // "changed back by another writer" only where a switch is journaled: verify-blue before any switch is told the plain fact
            switchJournaled(cluster) ? changedAfterTheSwitch(vs, routes, env, switchedAt) : "traffic is not on Blue: " + seen);
    return Checks.journal(cluster.journal(), BlueVerifier.SUITE, routed);
  }

  private static boolean switchJournaled(ClusterSession cluster) {
    return lms.rollback.audit.RunLog.read(cluster.journal()).last(lms.rollback.audit.Event.SWITCH_AFTER) != null;
  }

  private static List<CheckResult> inTheCluster(ClusterSession cluster, Environment env, Instant switchedAt) {
    CheckResult routed = routed(cluster, env, switchedAt);
    long started = System.currentTimeMillis();
    BlueCapacity blue = BlueCapacity.of(cluster, env);
    String needed = ">= " + blue.required() + " (" + blue.need() + ")";
    CheckResult ready = blue.sufficient()
        ? CheckResult.pass(CAPACITY, blue.ready() + "/" + blue.desired(), needed, System.currentTimeMillis() - started)
        : CheckResult.fail(CAPACITY, blue.ready() + "/" + blue.desired(), needed, System.currentTimeMillis() - started,
            "Blue is unhealthy after the switch: " + blue.describe());
    return List.of(routed, Checks.journal(cluster.journal(), BlueVerifier.SUITE, ready));
  }
}
