package lms.rollback.sandbox;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * What the Deployment controller and the kubelet do, in miniature: keeps as many pods as a
 * Deployment asks for, marks them ready, terminates the extra ones after a grace delay, and keeps
 * the Deployment's status true. A Deployment annotated {@value #READY_LIMIT} gets at most that
 * many ready pods, to play a Blue that is not ready.
 */
public final class StandInController implements AutoCloseable {

  public static final String READY_LIMIT = "sandbox.lms-rollback/ready-replicas";
  static final String TEMPLATE_HASH = "pod-template-hash";
  /** The mock drops metadata.deletionTimestamp on update, so terminating pods are marked here too. */
  static final String TERMINATING = "sandbox.lms-rollback/terminating";

  private final KubernetesClient store;
  private final Duration terminationDelay;
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "sandbox-controller");
    t.setDaemon(true);
    return t;
  });
  private final java.util.Set<String> statusPending = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final java.util.Map<String, Watch> watches = new java.util.concurrent.ConcurrentHashMap<>();

  public StandInController(KubernetesClient store, Duration terminationDelay) {
    this.store = store;
    this.terminationDelay = terminationDelay;
  }

  /** Starts looking after the Deployments of {@code namespace} (the mock serves no cluster-wide watch). */
  public StandInController watch(String namespace) {
    watches.computeIfAbsent(namespace, ns -> store.apps().deployments().inNamespace(ns).watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, Deployment d) {
        if (action != Action.DELETED) submit(d.getMetadata().getNamespace(), d.getMetadata().getName());
      }

      @Override
      public void onClose(WatcherException cause) {
        // the sandbox is shutting down
      }
    }));
    return this;
  }

  public void submit(String namespace, String name) {
    loop.execute(() -> reconcile(namespace, name));
  }

  /** Runs one reconciliation now, on the controller's thread, and waits for it. */
  public void reconcileNow(String namespace, String name) {
    try {
      loop.submit(() -> reconcile(namespace, name)).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("sandbox controller failed on " + namespace + "/" + name + ": " + e, e);
    }
  }

  private void reconcile(String ns, String name) {
    try {
      Deployment d = store.apps().deployments().inNamespace(ns).withName(name).get();
      if (d == null) return;
      Map<String, String> selector = d.getSpec().getSelector().getMatchLabels();
      int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
      List<Pod> pods = store.pods().inNamespace(ns).withLabels(selector).list().getItems();
      String hash = templateHash(d);
      // a changed template (new image, rollout restart) replaces every pod, like a Recreate rollout
      for (Pod stale : pods.stream().filter(p -> !terminating(p) && !hash.equals(p.getMetadata().getLabels().get(TEMPLATE_HASH))).toList()) {
        terminate(ns, stale.getMetadata().getName());
      }
      List<Pod> live = store.pods().inNamespace(ns).withLabels(selector).list().getItems().stream().filter(p -> !terminating(p)).toList();
      for (int i = live.size(); i < desired; i++) {
        store.pods().inNamespace(ns).resource(newPod(d, i)).create();
      }
      for (Pod extra : live.subList(Math.min(desired, live.size()), live.size())) {
        terminate(ns, extra.getMetadata().getName());
      }
      updateStatus(ns, name);
    } catch (KubernetesClientException e) {
      // a concurrent change: the watch brings us back
    }
  }

  private void terminate(String ns, String pod) {
    if (terminationDelay.isZero()) {
      store.pods().inNamespace(ns).withName(pod).delete();
      return;
    }
    store.pods().inNamespace(ns).withName(pod).edit(p -> {
      p.getMetadata().setDeletionTimestamp(Instant.now().toString());
      if (p.getMetadata().getAnnotations() == null) p.getMetadata().setAnnotations(new java.util.HashMap<>());
      p.getMetadata().getAnnotations().put(TERMINATING, Instant.now().toString());
      p.getStatus().getContainerStatuses().forEach(cs -> cs.setReady(false));
      return p;
    });
    loop.schedule(() -> {
      store.pods().inNamespace(ns).withName(pod).delete();
      statusesAfterDeletions(ns);
    }, terminationDelay.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * One status update for the deletions due together (a 50-pod Green ends in one), queued behind them on the loop:
   * updating after each of 50 deletions made the stand-in, not lmsctl, the slow part of a large scale-down.
   */
  private void statusesAfterDeletions(String ns) {
    if (!statusPending.add(ns)) return;
    loop.execute(() -> {
      statusPending.remove(ns);
      store.apps().deployments().inNamespace(ns).list().getItems().forEach(d -> updateStatus(ns, d.getMetadata().getName()));
    });
  }

  private void updateStatus(String ns, String name) {
    Deployment d = store.apps().deployments().inNamespace(ns).withName(name).get();
    if (d == null) return;
    List<Pod> pods = store.pods().inNamespace(ns).withLabels(d.getSpec().getSelector().getMatchLabels()).list().getItems();
    long ready = pods.stream().filter(p -> !terminating(p))
        .filter(p -> p.getStatus().getContainerStatuses().stream().allMatch(cs -> Boolean.TRUE.equals(cs.getReady()))).count();
    int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    String hash = templateHash(d);
    long updated = pods.stream().filter(p -> !terminating(p) && hash.equals(p.getMetadata().getLabels().get(TEMPLATE_HASH))).count();
    var status = new DeploymentStatusBuilder().withReplicas(pods.size()).withReadyReplicas((int) ready).withAvailableReplicas((int) ready)
        .withUpdatedReplicas((int) Math.min(desired, updated)).withObservedGeneration(d.getMetadata().getGeneration()).build();
    if (Objects.equals(status, d.getStatus())) return;
    store.apps().deployments().inNamespace(ns).withName(name).edit(x -> {
      x.setStatus(status);
      return x;
    });
  }

  static boolean terminating(Pod p) {
    return p.getMetadata().getDeletionTimestamp() != null
        || (p.getMetadata().getAnnotations() != null && p.getMetadata().getAnnotations().containsKey(TERMINATING));
  }

  private static Pod newPod(Deployment d, int index) {
    String hash = templateHash(d);
    String name = d.getMetadata().getName() + "-" + hash + "-" + randomSuffix();
    String limit = d.getMetadata().getAnnotations() == null ? null : d.getMetadata().getAnnotations().get(READY_LIMIT);
    boolean ready = limit == null || index < Integer.parseInt(limit);
    String now = Instant.now().toString();
    var containers = d.getSpec().getTemplate().getSpec().getContainers();
    return new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(d.getMetadata().getNamespace())
        .withLabels(d.getSpec().getTemplate().getMetadata().getLabels()).addToLabels(TEMPLATE_HASH, hash)
        .withCreationTimestamp(now).endMetadata()
        .withNewSpec().withContainers(containers).endSpec()
        .withNewStatus().withPhase("Running").withStartTime(now)
        .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
        .withContainerStatuses(containers.stream().map(c -> new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage())
            .withReady(ready).withStarted(true).withRestartCount(0).withNewState().withNewRunning().withStartedAt(now).endRunning()
            .endState().build()).toList())
        .endStatus().build();
  }

  static String templateHash(Deployment d) {
    var template = d.getSpec().getTemplate();
    return Integer.toHexString(Objects.hash(template.getSpec().getContainers().get(0).getImage(),
        template.getMetadata() == null ? null : template.getMetadata().getAnnotations()) & 0xfffffff);
  }

  private static String randomSuffix() {
    String alphabet = "bcdfghjklmnpqrstvwxz2456789";
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 5; i++) sb.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
    return sb.toString();
  }

  @Override
  public void close() {
    watches.values().forEach(Watch::close);
    loop.shutdownNow();
  }
}
