package lms.rollback.cluster;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import lms.rollback.audit.Event;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.plan.Environment;

/**
 * §5.4 step 4: Blue redeployed with the last known good image (by default the one Blue runs: in
 * blue/green, Blue is the last good release), as {@code kubectl rollout restart} does it, and
 * waited for as {@code kubectl rollout status} does: every replica updated, ready, and no old one left.
 */
public final class BlueRedeploy {

  public static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

  private final ClusterSession cluster;

  public BlueRedeploy(ClusterSession cluster) {
    this.cluster = cluster;
  }

  public record Result(String deployment, String imageBefore, String image, int replicas, Duration took) {
    public Map<String, Object> asData() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("deployment", deployment);
      m.put("imageBefore", imageBefore);
      m.put("image", image);
      m.put("replicas", replicas);
      m.put("millis", took.toMillis());
      return m;
    }
  }

  /** {@code image} null keeps Blue's image. */
  public Result execute(Environment env, String image, Duration timeout) {
    String name = env.namespace() + "/" + env.blue().deployment();
    Deployment blue = cluster.deployment(env.namespace(), env.blue().deployment());
    var container = blue.getSpec().getTemplate().getSpec().getContainers().get(0);
    String before = container.getImage();
    String target = image == null || image.isBlank() ? before : image;
    long start = System.nanoTime();
    Map<String, Object> args = Map.of("deployment", name, "image", target);
    cluster.journal().append(Event.CLUSTER_COMMAND_START, Map.of("command", "rollout restart deployment", "arguments", args));
    cluster.retry().run("redeploy " + name, () -> cluster.client().apps().deployments().inNamespace(env.namespace())
        .withName(env.blue().deployment()).edit(d -> {
          d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(target);
          var meta = d.getSpec().getTemplate().getMetadata();
          if (meta.getAnnotations() == null) meta.setAnnotations(new java.util.HashMap<>());
          meta.getAnnotations().put(RESTARTED_AT, Instant.now().toString());
          return d;
        }));
    cluster.journalCommand("rollout restart deployment", args, "ok");
    int replicas = awaitRollout(env, timeout);
    Result r = new Result(name, before, target, replicas, Duration.ofNanos(System.nanoTime() - start));
    cluster.journal().append(Event.BLUE_REDEPLOYED, r.asData());
    return r;
  }

  private int awaitRollout(Environment env, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
    while (true) {
      Deployment d = cluster.deployment(env.namespace(), env.blue().deployment());
      int desired = ClusterSession.replicas(d);
      var s = d.getStatus();
      boolean observed = s != null && (s.getObservedGeneration() == null || d.getMetadata().getGeneration() == null
          || s.getObservedGeneration() >= d.getMetadata().getGeneration());
      int updated = s == null || s.getUpdatedReplicas() == null ? 0 : s.getUpdatedReplicas();
      int total = s == null || s.getReplicas() == null ? 0 : s.getReplicas();
      int ready = ClusterSession.readyReplicas(d);
      if (observed && updated >= desired && total == desired && ready >= desired) return desired;
      if (System.nanoTime() > deadline) {
        throw new LmsException(ExitCode.CLUSTER_STATE, "Blue's rollout did not finish within " + timeout.toMinutes() + "m: " + updated + "/" + desired
            + " updated, " + ready + " ready, " + total + " pods; maintenance mode stays on");
      }
      if (System.nanoTime() > nextProgress) {
        cluster.progress().say(String.format("  waiting for Blue's rollout: %d/%d updated, %d ready, %d pods", updated, desired, ready, total));
        nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LmsException(ExitCode.OTHER, "interrupted while waiting for Blue's rollout");
      }
    }
  }
}
