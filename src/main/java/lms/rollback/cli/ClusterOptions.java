package lms.rollback.cli;

import java.nio.file.Path;
import java.time.Duration;
import lms.rollback.cluster.ApiRetry;
import lms.rollback.cluster.ClusterConnection;
import lms.rollback.cluster.EnvironmentLease;
import picocli.CommandLine.Option;

/** How to reach the cluster, and how long to wait for another rollback of the same environment. */
public final class ClusterOptions {

  @Option(names = "--kubeconfig", paramLabel = "FILE",
      description = "Kubeconfig to use. Default: $KUBECONFIG, then ~/.kube/config, then the in-cluster service account.")
  Path kubeconfig;

  @Option(names = "--context", paramLabel = "NAME", description = "Kubeconfig context. Default: the current context.")
  String context;

  @Option(names = "--lock-wait", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
      description = "How long to wait while another rollback holds the environment's lease. Default: ${DEFAULT-VALUE}.")
  Duration lockWait = EnvironmentLease.DEFAULT_WAIT;

  @Option(names = "--lease-holder", paramLabel = "ID", defaultValue = "${env:LMS_LEASE_HOLDER}",
      description = "Identity written into the lease; steps of one Jenkins build pass the same one (e.g. $BUILD_TAG). Default: $LMS_LEASE_HOLDER, else one unique to this invocation.")
  String leaseHolder;

  @Option(names = "--api-attempts", paramLabel = "N", defaultValue = "" + ApiRetry.DEFAULT_ATTEMPTS,
      description = "Attempts for each call to the API server before giving up (unreachable, 409, 429, 5xx are retried with backoff). Default: ${DEFAULT-VALUE}.")
  int attempts;

  public ClusterConnection connection() {
    return new ClusterConnection(kubeconfig, context);
  }

  public Duration lockWait() {
    return lockWait;
  }

  public int attempts() {
    if (attempts < 1) {
      throw new lms.rollback.core.LmsException(lms.rollback.core.ExitCode.INVALID_INPUT, "--api-attempts: " + attempts
          + " is not allowed; give 1 or more (1: no retry)");
    }
    return attempts;
  }

  public String leaseHolder(String actor) {
    if (leaseHolder != null && !leaseHolder.isBlank()) return leaseHolder;
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      host = "unknown-host";
    }
    // unique per invocation: only an explicit --lease-holder makes two invocations one holder
    return actor + "@" + host + "/" + ProcessHandle.current().pid() + "/" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 40);
  }
}
