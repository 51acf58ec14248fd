package lms.rollback.cluster;

import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.istio.client.IstioClient;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Event;
import lms.rollback.audit.Journal;
import lms.rollback.core.Progress;
import lms.rollback.plan.Environment;

/**
 * One session with the API server as a run or a verb holds it: the client, its retries ({@link ApiRetry}), and the journal
 * and progress every cluster action reports to. The LMS objects of an environment are read through it, and every change
 * is journaled before and after it is made.
 */
public final class ClusterSession {

  private final KubernetesClient client;
  private final ApiRetry retry;
  private final Journal journal;
  private final Progress progress;

  public ClusterSession(KubernetesClient client, ApiRetry retry, Journal journal, Progress progress) {
    this.client = client;
    this.retry = retry;
    this.journal = journal;
    this.progress = progress;
  }

  public KubernetesClient client() {
    return client;
  }

  public ApiRetry retry() {
    return retry;
  }

  public Journal journal() {
    return journal;
  }

  public Progress progress() {
    return progress;
  }

  Resource<VirtualService> virtualServiceResource(Environment env) {
    return client.adapt(IstioClient.class).v1().virtualServices().inNamespace(env.namespace()).withName(env.virtualService());
  }

  /** The environment's VirtualService, or an error saying it is missing. */
  public VirtualService virtualService(Environment env) {
    VirtualService vs = retry.call("read VirtualService " + env.namespace() + "/" + env.virtualService(),
        () -> virtualServiceResource(env).get());
    if (vs == null) {
      throw new ClusterException("VirtualService " + env.namespace() + "/" + env.virtualService()
          + " not found; check --env and the plan's virtualService, and that the kubeconfig points at the right cluster");
    }
    return vs;
  }

  /**
   * The other VirtualServices (not the plan's), in every namespace the environment lists ({@code routeNamespaces}), that
   * still send Green a share, as "ns/name sends N%": routes the switch does not move, whose callers a scale-down
   * would cut off. In another namespace only Green's qualified name reaches Green ({@link RouteTable}).
   */
  public List<String> otherRoutesToGreen(Environment env) {
    List<String> found = new java.util.ArrayList<>();
    for (String namespace : env.routeNamespaces()) {
      List<VirtualService> all = retry.call("list VirtualServices in " + namespace,
          () -> client.adapt(IstioClient.class).v1().virtualServices().inNamespace(namespace).list().getItems());
      all.stream().filter(vs -> !(namespace.equals(env.namespace()) && env.virtualService().equals(vs.getMetadata().getName())))
          .map(vs -> RouteTable.of(vs, env)).filter(t -> t.maxGreenShare() > 0)
          .forEach(t -> found.add(namespace + "/" + t.name() + " sends " + t.maxGreenShare() + "%"));
    }
    return found;
  }

  public Deployment deployment(String namespace, String name) {
    Deployment d = deploymentIfPresent(namespace, name);
    if (d == null) {
      throw new ClusterException("Deployment " + namespace + "/" + name + " not found; check the plan's deployment names");
    }
    return d;
  }

  /** The Deployment, or null when there is none; a read that fails (after its retries) still throws. */
  public Deployment deploymentIfPresent(String namespace, String name) {
    return retry.call("read Deployment " + namespace + "/" + name, () -> client.apps().deployments().inNamespace(namespace).withName(name).get());
  }

  public List<Pod> pods(String namespace, Map<String, String> labels) {
    return retry.call("list pods " + selector(labels) + " in " + namespace,
        () -> client.pods().inNamespace(namespace).withLabels(labels).list().getItems());
  }

  /** Journals a command sent to the cluster, in the words a person would use for it. */
  public void journalCommand(String command, Map<String, ?> arguments, String outcome) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("command", command);
    data.put("arguments", arguments);
    data.put("outcome", outcome);
    journal.append(Event.CLUSTER_COMMAND, data);
  }

  public static String selector(Map<String, String> labels) {
    return String.join(",", labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).sorted().toList());
  }

  public static int replicas(Deployment d) {
    return d.getSpec() == null || d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
  }

  public static int readyReplicas(Deployment d) {
    return d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0 : d.getStatus().getReadyReplicas();
  }
}
