package lms.rollback.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.function.Function;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.cluster.ApiRetry;
import lms.rollback.cluster.ClusterSession;
import lms.rollback.cluster.EnvironmentLease;
import lms.rollback.core.Progress;
import lms.rollback.plan.Environment;
import picocli.CommandLine.Mixin;

/** A verb that talks to the cluster; one that changes it holds the environment's lease while it works. */
abstract class ClusterVerb extends Verb {

  @Mixin ClusterOptions clusterOptions;

  /** Whether the verb changes the cluster and so must hold the environment's lease. */
  abstract boolean mutates();

  abstract Outcome run(ClusterSession cluster, Environment env);

  @Override
  Outcome execute(Journal journal) {
    Environment env = plan.environment();
    Progress progress = Progress.stderr();
    try (KubernetesClient client = clusterOptions.connection().open()) {
      ClusterSession cluster = new ClusterSession(client, new ApiRetry(clusterOptions.attempts(), ApiRetry.DEFAULT_FIRST_BACKOFF, progress), journal, progress);
      return mutates() ? withLease(cluster, env, c -> run(c, env)) : run(cluster, env);
    }
  }

  private Outcome withLease(ClusterSession cluster, Environment env, Function<ClusterSession, Outcome> body) {
    String holder = clusterOptions.leaseHolder(output.actor()) + " (lmsctl " + spec.name() + ")";
    try (EnvironmentLease lease = EnvironmentLease.acquire(cluster.client(), env.namespace(), plan.environmentName(), holder,
        EnvironmentLease.DEFAULT_DURATION, clusterOptions.lockWait(), cluster.progress())) {
      cluster.journal().append(Event.LEASE_ACQUIRED, Map.of("lease", lease.name(), "holder", holder));
      Outcome outcome = body.apply(cluster);
      cluster.journal().append(Event.LEASE_RELEASED, Map.of("lease", lease.name()));
      return outcome;
    }
  }
}
