package lms.rollback.runbook;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import lms.rollback.cluster.BlueLogScan;
import lms.rollback.cluster.Cluster;
import lms.rollback.plan.Environment;
import lms.rollback.plan.Plan;
import lms.rollback.verify.BlueVerifier;
import lms.rollback.verify.CheckResult;

/**
 * §4.2 step 2's checks of Blue after the switch, as one list for the run's verify step and for `lmsctl verify-blue`
 * alike: health, version, status and Prometheus over the window (when probes are given), and "no new errors in Blue
 * logs" over the whole window since the switch.
 */
public final class BlueChecks {
  private BlueChecks() {}

  /** {@code plan} and {@code probes}: the HTTP and Prometheus checks to make, or null on a cluster-only run (the log scan is always made). */
  public static List<CheckResult> afterTheSwitch(Cluster cluster, Environment env, Instant switchedAt, Plan plan, String errorLogPattern,
      BlueVerifier.Request probes) {
    List<CheckResult> all = new ArrayList<>();
    if (probes != null) all.addAll(new BlueVerifier(plan.verification(), plan.time(), cluster.journal(), cluster.progress()).verify(probes));
    // read after the window, streamed: every line Blue logged since the switch
    all.add(lms.rollback.verify.Checks.journal(cluster.journal(), BlueVerifier.SUITE,
        new BlueLogScan(cluster, errorLogPattern).scan(env, Duration.between(switchedAt, Instant.now()))));
    return all;
  }
}
