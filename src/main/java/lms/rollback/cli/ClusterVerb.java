package lms.rollback.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import lms.rollback.audit.Journal;
import lms.rollback.cluster.ApiRetry;
import lms.rollback.cluster.Cluster;
import lms.rollback.cluster.EnvironmentLease;
import lms.rollback.core.LmsException;
import lms.rollback.core.Progress;
import lms.rollback.plan.Environment;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every verb that talks to the cluster shares: the plan and environment, the connection,
 * the journal, progress on stderr, and (for verbs that change something) the environment lease.
 * The verb's start and end — with its outcome — are journaled whatever happens.
 */
abstract class ClusterVerb implements Callable<Integer> {

  @Mixin PlanOptions plan;
  @Mixin ClusterOptions clusterOptions;
  @Mixin OutputOptions output;
  @Spec CommandSpec spec;

  /** Whether the verb changes the cluster and so must hold the environment's lease. */
  abstract boolean mutates();

  /** The verb's work; returns the data printed on stdout and its exit code. */
  abstract Outcome run(Cluster cluster, Environment env);

  record Outcome(int exitCode, Map<String, Object> data, Iterable<String> text) {}

  @Override
  public Integer call() {
    Environment env = plan.environment();
    Journal journal = new Journal(output.outDir(), output.actor());
    Progress progress = Progress.stderr();
    String verb = spec.name();
    journal.append("verb.start", Map.of("verb", verb, "environment", plan.environmentName(), "args", String.join(" ", spec.commandLine().getParseResult().originalArgs())));
    long start = System.nanoTime();
    try (KubernetesClient client = clusterOptions.connection().open()) {
      Cluster cluster = new Cluster(client, new ApiRetry(clusterOptions.attempts(), ApiRetry.DEFAULT_FIRST_BACKOFF, progress), journal, progress);
      Outcome outcome = mutates() ? withLease(cluster, env, c -> run(c, env)) : run(cluster, env);
      journal.append("verb.end", Map.of("verb", verb, "exitCode", outcome.exitCode(), "millis", Duration.ofNanos(System.nanoTime() - start).toMillis()));
      print(outcome);
      return outcome.exitCode();
    } catch (LmsException e) {
      journal.append("verb.failed", Map.of("verb", verb, "exitCode", e.exitCode(), "reason", String.valueOf(e.getMessage()),
          "millis", Duration.ofNanos(System.nanoTime() - start).toMillis()));
      throw e;
    }
  }

  private Outcome withLease(Cluster cluster, Environment env, Function<Cluster, Outcome> body) {
    String holder = clusterOptions.leaseHolder(output.actor()) + " (lmsctl " + spec.name() + ")";
    try (EnvironmentLease lease = EnvironmentLease.acquire(cluster.client(), env.namespace(), plan.environmentName(), holder,
        EnvironmentLease.DEFAULT_DURATION, clusterOptions.lockWait(), cluster.progress())) {
      cluster.journal().append("lease.acquired", Map.of("lease", lease.name(), "holder", holder));
      Outcome outcome = body.apply(cluster);
      cluster.journal().append("lease.released", Map.of("lease", lease.name()));
      return outcome;
    }
  }

  private void print(Outcome outcome) {
    PrintWriter out = spec.commandLine().getOut();
    if (output.json()) {
      out.println(Journal.json(outcome.data()));
    } else {
      outcome.text().forEach(out::println);
    }
    out.flush();
  }
}
