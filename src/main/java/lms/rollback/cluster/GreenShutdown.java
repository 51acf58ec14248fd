package lms.rollback.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import lms.rollback.audit.Event;
import lms.rollback.plan.Environment;

/**
 * §4.2 step 3 with §7.1 #3: preserve Green's pod logs, scale Green to zero, then watch until no
 * Green pod is left. Refuses while any route (http, tls or tcp) of the plan's VirtualService, or of any VirtualService in
 * the environment's {@code routeNamespaces}, still sends Green a share.
 */
public final class GreenShutdown {

  public static final String LOG_DIRECTORY = "green-logs";
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
  private static final Duration RECHECK_EVERY = Duration.ofSeconds(1);

  private final ClusterSession cluster;

  public GreenShutdown(ClusterSession cluster) {
    this.cluster = cluster;
  }

  public record Request(String environment, Environment env, Path outDir, Duration budget) {}

  public record Result(String deployment, boolean changed, int replicasBefore, List<String> preservedLogs, long logBytes,
      Duration waited) {
    public Map<String, Object> asData() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("deployment", deployment);
      m.put("changed", changed);
      m.put("replicasBefore", replicasBefore);
      m.put("preservedLogs", preservedLogs);
      m.put("logBytes", logBytes);
      m.put("waitedMillis", waited.toMillis());
      return m;
    }
  }

  public Result execute(Request request) {
    Environment env = request.env();
    String ns = env.namespace();
    String name = ns + "/" + env.green().deployment();
    RouteTable routes = RouteTable.of(cluster.virtualService(env), env);
    if (!routes.hasLmsRoutes()) {
      cluster.journal().append(Event.STOP_GREEN_REFUSED, Map.of("deployment", name, "routes", routes.asData()));
      throw new ClusterException("VirtualService " + ns + "/" + env.virtualService() + " has no route to " + env.blue().host() + " or "
          + env.green().host() + " that the plan knows, so where Green's traffic goes cannot be told; Green was not touched");
    }
    if (routes.maxGreenShare() > 0) {
      cluster.journal().append(Event.STOP_GREEN_REFUSED, Map.of("deployment", name, "routes", routes.asData()));
      throw new ClusterException("VirtualService " + ns + "/" + env.virtualService() + " still sends " + routes.maxGreenShare()
          + "% of traffic to " + env.green().host() + "; Green was not touched. Run 'lmsctl switch' first (routes to Green: "
          + String.join(", ", routes.toGreen()) + ")");
    }
    List<String> others = cluster.otherRoutesToGreen(env);
    if (!others.isEmpty()) {
      cluster.journal().append(Event.STOP_GREEN_REFUSED, Map.of("deployment", name, "otherRoutes", others));
      throw new ClusterException("another VirtualService still routes to " + env.green().host() + " (" + String.join("; ", others)
          + "); the plan switches only " + ns + "/" + env.virtualService() + " and looks in namespaces " + String.join(", ", env.routeNamespaces())
          + ". Green was not touched: move that route to Blue, then run this again");
    }
    // Green is the only thing serving if Blue is down: never scale it down then, whoever asks
    BlueCapacity blue = BlueCapacity.of(cluster, env);
    if (!blue.sufficient()) {
      cluster.journal().append(Event.STOP_GREEN_REFUSED, Map.of("deployment", name, "blue", blue.describe()));
      throw new ClusterException("Blue is not ready (" + blue.describe() + "); Green was not touched");
    }
    Deployment green = cluster.deployment(ns, env.green().deployment());
    int before = ClusterSession.replicas(green);
    List<Pod> pods = cluster.pods(ns, env.green().podLabels());
    if (before == 0 && pods.isEmpty()) {
      cluster.journal().append(Event.STOP_GREEN_NOOP, Map.of("deployment", name, "reason", "already scaled to 0 with no pods left"));
      return new Result(name, false, 0, List.of(), 0, Duration.ZERO);
    }

    List<GreenLogArchive.Saved> saved = new GreenLogArchive(cluster).preserve(ns, env.green().podLabels(), pods, request.outDir().resolve(LOG_DIRECTORY),
        request.budget());
    List<String> files = saved.stream().map(s -> request.outDir().relativize(s.file()).toString()).toList();
    long bytes = saved.stream().mapToLong(GreenLogArchive.Saved::bytes).sum();

    Map<String, Object> args = Map.of("deployment", name, "replicas", 0, "replicasBefore", before);
    cluster.journal().append(Event.CLUSTER_COMMAND_START, Map.of("command", "scale deployment", "arguments", args));
    cluster.retry().run("scale Deployment " + name + " to 0",
        () -> cluster.client().apps().deployments().inNamespace(ns).withName(env.green().deployment()).scale(0));
    cluster.journalCommand("scale deployment", args, "ok");
    java.time.Instant scaledAt = java.time.Instant.now();

    // hashed while Green terminates: off the step's critical path
    var digests = GreenLogArchive.digest(saved);
    Duration waited;
    try {
      waited = awaitNoPods(env, request.budget(), scaledAt);
    } finally {
      new GreenLogArchive(cluster).journalDigests(digests.join());
    }
    cluster.journal().append(Event.STOP_GREEN_DONE, Map.of("deployment", name, "podsLeft", 0, "waitedMillis", waited.toMillis()));
    return new Result(name, true, before, files, bytes, waited);
  }

  /**
   * Waits until no Green pod is left. Watches without a resourceVersion — the server sends every
   * existing pod as ADDED, then each change — so no deletion can fall between a list and a watch;
   * the list is still consulted every second in case the watch itself drops.
   */
  private Duration awaitNoPods(Environment env, Duration budget, java.time.Instant scaledAt) {
    long start = System.nanoTime();
    long nextProgress = start + PROGRESS_EVERY.toNanos();
    Set<String> present = ConcurrentHashMap.newKeySet();
    CompletableFuture<Void> gone = new CompletableFuture<>();
    Watch watch = cluster.client().pods().inNamespace(env.namespace()).withLabels(env.green().podLabels()).watch(new Watcher<Pod>() {
      @Override
      public void eventReceived(Action action, Pod pod) {
        if (action == Action.DELETED) {
          present.remove(pod.getMetadata().getName());
          if (present.isEmpty()) gone.complete(null);
        } else if (action != Action.ERROR && action != Action.BOOKMARK) {
          present.add(pod.getMetadata().getName());
        }
      }

      @Override
      public void onClose(WatcherException cause) {
        // the periodic list below carries on
      }
    });
    try {
      while (true) {
        int remaining = cluster.pods(env.namespace(), env.green().podLabels()).size();
        boolean podsGone = remaining == 0 || gone.isDone();
        // scaled back up meanwhile (Argo CD's self-heal, an HPA): waiting on is pointless, and "scaled to 0" would be untrue.
        // Read after the pods, so pods found gone are only taken as done while Green is still at 0
        Deployment green = cluster.deployment(env.namespace(), env.green().deployment());
        if (ClusterSession.replicas(green) != 0) {
          throw new ClusterException("Green was scaled back to " + ClusterSession.replicas(green) + " " + OtherWriter.of(green, scaledAt)
              + " while its pods terminated; Green is NOT at 0 and serves the bad release again. Stop whatever scales it (Argo CD self-heal,"
              + " an HPA), then run this again");
        }
        if (podsGone) return Duration.ofNanos(System.nanoTime() - start);
        Duration left = budget.minus(Duration.ofNanos(System.nanoTime() - start));
        if (left.isNegative() || left.isZero()) {
          cluster.journal().append(Event.STOP_GREEN_TIMEOUT, Map.of("podsLeft", remaining, "budgetSeconds", budget.toSeconds()));
          throw new ClusterException(remaining + " Green pod(s) still present after " + budget.toSeconds()
              + "s, the step's budget; Green is scaled to 0. Check the pods with 'kubectl get pods -l "
              + ClusterSession.selector(env.green().podLabels()) + " -n " + env.namespace() + "' and re-run to keep waiting");
        }
        if (System.nanoTime() >= nextProgress) {
          cluster.progress().say(String.format("  waiting for %d Green pod(s) to terminate (%ds of %ds)", remaining,
              Duration.ofNanos(System.nanoTime() - start).toSeconds(), budget.toSeconds()));
          nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
        }
        try {
          gone.get(Math.min(left.toMillis(), RECHECK_EVERY.toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          // look at the list again
        } catch (ExecutionException e) {
          throw new ClusterException("watching Green's pods failed: " + e.getCause().getMessage(), e.getCause());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClusterException("interrupted while waiting for Green's pods to terminate");
    } finally {
      watch.close();
    }
  }
}
