package lms.rollback.database;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import lms.rollback.audit.Event;
import lms.rollback.cluster.ClusterSession;
import lms.rollback.cluster.ClusterException;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.plan.Environment;

/**
 * Runs alembic in a Kubernetes Job made from Green's container: its image (only Green's image holds
 * the downgrade scripts of Green's migrations), its environment (and so its database settings), its
 * service account. Streams the Job's log while it runs and deletes the Job afterwards, whatever happened.
 */
public final class JobMigrationProcess implements MigrationProcess {

  public static final String JOB_LABEL = "lms-rollback/job";
  public static final String NAME_PREFIX = "lms-alembic-";
  static final Duration POLL = Duration.ofMillis(300);
  static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

  private final ClusterSession cluster;
  private final Environment env;
  private final List<String> command;
  private final Duration timeout;
  private final Container green;
  private final Deployment greenDeployment;

  public JobMigrationProcess(ClusterSession cluster, Environment env, List<String> command, Duration timeout) {
    this.cluster = cluster;
    this.env = env;
    this.command = List.copyOf(command);
    this.timeout = timeout;
    this.greenDeployment = cluster.deployment(env.namespace(), env.green().deployment());
    String wanted = env.database() == null ? null : env.database().container();
    List<Container> containers = greenDeployment.getSpec().getTemplate().getSpec().getContainers();
    this.green = containers.stream().filter(c -> wanted == null || wanted.equals(c.getName())).findFirst()
        .orElseThrow(() -> new LmsException(ExitCode.INVALID_INPUT, "database.container: Green's Deployment " + env.green().deployment()
            + " has no container '" + wanted + "'; allowed: " + String.join(", ", containers.stream().map(Container::getName).toList())));
  }

  @Override
  public Run alembic(List<String> arguments) {
    String name = NAME_PREFIX + arguments.get(0) + "-" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 28, 36);
    List<String> argv = new ArrayList<>(command);
    argv.addAll(arguments);
    var podSpec = greenDeployment.getSpec().getTemplate().getSpec();
    Job job = new JobBuilder()
        .withNewMetadata().withName(name).withNamespace(env.namespace())
        .addToLabels("app.kubernetes.io/managed-by", "lms-rollback").addToLabels(JOB_LABEL, name).endMetadata()
        .withNewSpec().withBackoffLimit(0).withActiveDeadlineSeconds(timeout.toSeconds()).withTtlSecondsAfterFinished(3600)
        .withNewTemplate().withNewMetadata().addToLabels(JOB_LABEL, name).endMetadata()
        .withNewSpec().withRestartPolicy("Never").withServiceAccountName(podSpec.getServiceAccountName())
        .withImagePullSecrets(podSpec.getImagePullSecrets())
        .addNewContainer().withName("alembic").withImage(green.getImage()).withCommand(argv)
        .withEnv(green.getEnv()).withEnvFrom(green.getEnvFrom()).endContainer()
        .endSpec().endTemplate().endSpec().build();
    var jobs = cluster.client().batch().v1().jobs().inNamespace(env.namespace());
    Map<String, Object> described = Map.of("job", env.namespace() + "/" + name, "image", green.getImage(), "command", argv);
    cluster.journal().append(Event.DATABASE_JOB_CREATED, described);
    cluster.retry().call("create Job " + name, () -> jobs.resource(job).create());
    try {
      return await(name);
    } finally {
      try {
        cluster.retry().run("delete Job " + name, () -> jobs.withName(name).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete());
        cluster.journal().append(Event.DATABASE_JOB_DELETED, Map.of("job", env.namespace() + "/" + name));
      } catch (RuntimeException e) {
        cluster.journal().append(Event.DATABASE_JOB_LEFT, Map.of("job", env.namespace() + "/" + name, "reason", String.valueOf(e.getMessage())));
        cluster.progress().say("  the Job " + env.namespace() + "/" + name + " could not be deleted (" + e.getMessage() + "); delete it by hand");
      }
    }
  }

  private Run await(String name) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long started = System.nanoTime();
    long nextProgress = started + PROGRESS_EVERY.toNanos();
    LineSink sink = new LineSink(cluster);
    LogWatch logs = null;
    String podName = null;
    try {
      while (true) {
        Job job = cluster.client().batch().v1().jobs().inNamespace(env.namespace()).withName(name).get();
        if (job == null) throw new ClusterException("Job " + env.namespace() + "/" + name + " disappeared while alembic ran");
        if (podName == null) {
          List<Pod> pods = cluster.client().pods().inNamespace(env.namespace()).withLabel(JOB_LABEL, name).list().getItems();
          if (!pods.isEmpty() && !"Pending".equals(pods.get(0).getStatus() == null ? null : pods.get(0).getStatus().getPhase())) {
            podName = pods.get(0).getMetadata().getName();
            logs = cluster.client().pods().inNamespace(env.namespace()).withName(podName).watchLog(sink);
          }
        }
        var status = job.getStatus();
        boolean succeeded = status != null && status.getSucceeded() != null && status.getSucceeded() > 0;
        boolean failed = status != null && status.getFailed() != null && status.getFailed() > 0;
        if (succeeded || failed) {
          if (logs != null) logs.close();
          List<String> output = sink.lines();
          if (output.isEmpty() && podName != null) {
            String log = cluster.client().pods().inNamespace(env.namespace()).withName(podName).getLog();
            output = log == null || log.isEmpty() ? List.of() : List.of(log.split("\n"));
            output.forEach(l -> cluster.progress().say("    alembic: " + l));
          }
          return new Run(succeeded ? 0 : exitCode(podName), output);
        }
        if (System.nanoTime() > deadline) {
          throw new LmsException(ExitCode.OTHER, "alembic Job " + env.namespace() + "/" + name + " did not finish within " + timeout.toSeconds() + "s");
        }
        if (System.nanoTime() > nextProgress) {
          cluster.progress().say(String.format("  alembic Job %s running (%ds of %ds)", name, Duration.ofNanos(System.nanoTime() - started).toSeconds(),
              timeout.toSeconds()));
          nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
        }
        Thread.sleep(POLL.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LmsException(ExitCode.OTHER, "interrupted while the alembic Job ran");
    } finally {
      if (logs != null) logs.close();
    }
  }

  private int exitCode(String podName) {
    if (podName == null) return 1;
    Pod pod = cluster.client().pods().inNamespace(env.namespace()).withName(podName).get();
    if (pod == null || pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) return 1;
    return pod.getStatus().getContainerStatuses().stream().map(cs -> cs.getState() == null ? null : cs.getState().getTerminated())
        .filter(java.util.Objects::nonNull).map(t -> t.getExitCode() == null ? 1 : t.getExitCode()).findFirst().orElse(1);
  }

  @Override
  public String describe() {
    return "Kubernetes Job in " + env.namespace() + " with Green's image " + green.getImage();
  }

  /** Splits the streamed log into lines and shows each as it arrives. */
  private static final class LineSink extends OutputStream {
    private final ClusterSession cluster;
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();
    private final List<String> lines = new ArrayList<>();

    LineSink(ClusterSession cluster) {
      this.cluster = cluster;
    }

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        String line = current.toString(StandardCharsets.UTF_8);
        current.reset();
        lines.add(line);
        cluster.progress().say("    alembic: " + line);
      } else {
        current.write(b);
      }
    }

    synchronized List<String> lines() {
      if (current.size() > 0) {
        lines.add(current.toString(StandardCharsets.UTF_8));
        current.reset();
      }
      return List.copyOf(lines);
    }
  }
}
