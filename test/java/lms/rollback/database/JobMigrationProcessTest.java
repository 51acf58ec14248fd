package lms.rollback.database;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes Job executor against the embedded API server. Nothing runs containers there, so
 * the test plays the Job controller and the kubelet: it starts the Job's pod, gives it a log, and
 * marks the Job done.
 */
class JobMigrationProcessTest {

  @TempDir Path out;

  @Test
  void runsAlembicInGreensImageStreamsTheLogAndDeletesTheJob() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      String ns = sandbox.env.namespace();
      sandbox.store().apps().deployments().inNamespace(ns).withName(sandbox.env.green().deployment()).edit(d -> {
        d.getSpec().getTemplate().getSpec().getContainers().get(0).setEnv(List.of(new EnvVar("LMS_DATABASE_URL", "from-greens-secret", null)));
        return d;
      });
      sandbox.cluster.server().setLogSource(p -> "INFO  [alembic.runtime.migration] Context impl PostgresqlImpl.\n0003 (head)\n");
      AtomicReference<Job> seen = new AtomicReference<>();
      CompletableFuture<Void> controller = CompletableFuture.runAsync(() -> playJobController(sandbox, ns, seen, true));

      var process = new JobMigrationProcess(sandbox.engine(), sandbox.env, List.of("alembic"), Duration.ofSeconds(30));
      String current = new Alembic(process, sandbox.journal).current();
      controller.get();

      assertEquals("0003", current);
      var container = seen.get().getSpec().getTemplate().getSpec().getContainers().get(0);
      assertEquals("registry.local/lms:3.0.0", container.getImage(), "Green's image: only it has the downgrade scripts");
      assertEquals(List.of("alembic", "current"), container.getCommand());
      assertEquals("from-greens-secret", container.getEnv().get(0).getValue(), "Green's database settings");
      assertEquals(0, seen.get().getSpec().getBackoffLimit());
      assertTrue(sandbox.store().batch().v1().jobs().inNamespace(ns).list().getItems().isEmpty(), "the Job is cleaned up");
      assertTrue(sandbox.journalTypes().containsAll(List.of("database.job.created", "database.job.deleted", "database.command")));
      assertTrue(sandbox.progress.stream().anyMatch(l -> l.contains("alembic: 0003 (head)")), "the log is shown as it comes");
    }
  }

  @Test
  void aFailedJobReportsItsExitCodeAndIsCleanedUpToo() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      String ns = sandbox.env.namespace();
      sandbox.cluster.server().setLogSource(p -> "sqlalchemy.exc.OperationalError: connection refused\n");
      CompletableFuture<Void> controller = CompletableFuture.runAsync(() -> playJobController(sandbox, ns, new AtomicReference<>(), false));

      var run = new JobMigrationProcess(sandbox.engine(), sandbox.env, List.of("alembic"), Duration.ofSeconds(30)).alembic(List.of("downgrade", "0002"));
      controller.get();

      assertEquals(3, run.exitCode());
      assertTrue(Alembic.lastError(run).contains("connection refused"), run.output().toString());
      assertTrue(sandbox.store().batch().v1().jobs().inNamespace(ns).list().getItems().isEmpty());
    }
  }

  private static void playJobController(Sandbox sandbox, String ns, AtomicReference<Job> seen, boolean succeed) {
    var jobs = sandbox.store().batch().v1().jobs().inNamespace(ns);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (jobs.list().getItems().isEmpty()) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("no Job was created");
      Thread.onSpinWait();
    }
    Job job = jobs.list().getItems().get(0);
    seen.set(job);
    String name = job.getMetadata().getName();
    sandbox.store().pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName(name + "-x1").withNamespace(ns)
        .addToLabels(JobMigrationProcess.JOB_LABEL, name).endMetadata()
        .withNewSpec().withContainers(job.getSpec().getTemplate().getSpec().getContainers()).endSpec()
        .withNewStatus().withPhase(succeed ? "Succeeded" : "Failed").withContainerStatuses(new ContainerStatusBuilder().withName("alembic")
            .withState(new ContainerStateBuilder().withNewTerminated().withExitCode(succeed ? 0 : 3).endTerminated().build()).build())
        .endStatus().build()).create();
    try {
      Thread.sleep(JobMigrationProcess.POLL.toMillis() * 2);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    jobs.withName(name).editStatus(j -> {
      j.setStatus(new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder().withSucceeded(succeed ? 1 : 0).withFailed(succeed ? 0 : 1).build());
      return j;
    });
  }
}
