package lms.rollback.cli;

import java.net.URI;
import java.time.Duration;
import lms.rollback.cluster.ClusterSession;
import lms.rollback.plan.Environment;
import lms.rollback.plan.Plan;
import lms.rollback.runbook.RollbackSteps;
import lms.rollback.verify.PrometheusClient;
import picocli.CommandLine.Option;

/** How a run reaches Blue to verify it: LMS over HTTP, Prometheus, the window, the version — or the cluster's view alone. */
public final class ProbeOptions {

  @Option(names = "--base-url", paramLabel = "URL", description = "Where LMS answers, for Blue's checks and the smoke tests. Default: the environment's baseUrl.")
  URI baseUrl;

  @Option(names = "--prometheus", paramLabel = "URL", description = "Prometheus for Blue's error rate and latency. Default: the environment's prometheusUrl.")
  String prometheus;

  @Option(names = "--window", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "How long after the switch Blue's metrics are observed. Default: the plan's verification.observationWindow.")
  Duration window;

  @Option(names = "--expected-version", paramLabel = "VERSION", description = "Version Blue must report. Default: from Blue's Deployment.")
  String expectedVersion;

  @Option(names = "--cluster-only", description = "Verify Blue and confirm from the cluster's view alone: no HTTP probes, Prometheus or smoke tests (for a cluster whose LMS this machine cannot reach).")
  boolean clusterOnly;

  PrometheusClient prometheus(Plan plan, Environment env) {
    return new PrometheusClient(prometheus != null ? prometheus : env.prometheusUrl(), plan.verification().requestTimeout().limit());
  }

  /** A rollback's --window that ends before the first post-switch sample could never pass: refused before anything is changed. */
  static void requireEvidence(Plan plan, Duration window) {
    if (window == null) return;
    var v = plan.verification();
    Duration first = v.firstEvidence();
    if (window.compareTo(first) < 0) {
      throw new lms.rollback.core.LmsException(lms.rollback.core.ExitCode.INVALID_INPUT, "--window: " + lms.rollback.plan.Budget.format(window)
          + " ends before the first post-switch sample (verification.scrapeInterval " + v.scrapeInterval() + " + routePropagation "
          + v.routePropagation() + ", then two scrapes); allowed: " + lms.rollback.plan.Budget.format(first) + " or more");
    }
  }

  /** The run's probes, or null for --cluster-only. */
  RollbackSteps.Probes probes(Plan plan, ClusterSession cluster, Environment env) {
    if (clusterOnly) return null;
    requireEvidence(plan, window);
    String version = expectedVersion != null ? expectedVersion : lms.rollback.cluster.DeploymentVersion.of(cluster.deployment(env.namespace(), env.blue().deployment()));
    return new RollbackSteps.Probes(plan, baseUrl != null ? baseUrl : URI.create(env.baseUrl()), prometheus(plan, env), version,
        window != null ? window : plan.verification().observationWindow().limit(), System.getenv());
  }
}
