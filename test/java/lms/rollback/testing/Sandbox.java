package lms.rollback.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.istio.client.IstioClient;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Journal;
import lms.rollback.cluster.ApiRetry;
import lms.rollback.cluster.ClusterSession;
import lms.rollback.plan.Environment;
import lms.rollback.plan.Plan;
import lms.rollback.plan.PlanLoader;
import lms.rollback.sandbox.SandboxCluster;

/** A seeded sandbox cluster for one test: production after a bad release, and a journal in a temp dir. */
public final class Sandbox implements AutoCloseable {

  public static final String ENV = "production";
  public static final Plan PLAN = new PlanLoader().loadDefault();
  private static final ObjectMapper JSON = new ObjectMapper();

  public final SandboxCluster cluster;
  public final Environment env = PLAN.environment(ENV);
  public final Path outDir;
  public final Journal journal;
  public final List<String> progress = Collections.synchronizedList(new ArrayList<>());
  private final List<KubernetesClient> clients = new ArrayList<>();

  private Sandbox(Path outDir, Duration terminationDelay, Map<String, String> blueAnnotations) {
    this.outDir = outDir;
    this.cluster = SandboxCluster.start(0, terminationDelay).seed(env, blueAnnotations);
    this.journal = new Journal(outDir, "tester");
  }

  public static Sandbox start(Path outDir) {
    return new Sandbox(outDir, Duration.ZERO, Map.of());
  }

  public static Sandbox start(Path outDir, Duration terminationDelay, Map<String, String> blueAnnotations) {
    return new Sandbox(outDir, terminationDelay, blueAnnotations);
  }

  /** The engine's view, through the front server, with fast retries. */
  public ClusterSession engine() {
    return engine(5);
  }

  public ClusterSession engine(int attempts) {
    KubernetesClient client = cluster.server().client();
    clients.add(client);
    return new ClusterSession(client, new ApiRetry(attempts, Duration.ofMillis(10), progress::add), journal, progress::add);
  }

  public KubernetesClient store() {
    return cluster.store();
  }

  public VirtualService virtualService() {
    return store().adapt(IstioClient.class).v1().virtualServices().inNamespace(env.namespace()).withName(env.virtualService()).get();
  }

  public JsonNode virtualServiceJson() {
    return JSON.valueToTree(virtualService());
  }

  public void replaceVirtualService(String yaml) {
    VirtualService vs = Serialization.unmarshal(yaml, VirtualService.class);
    store().adapt(IstioClient.class).v1().virtualServices().inNamespace(env.namespace()).resource(vs).createOr(x -> x.update());
  }

  public Deployment deployment(String name) {
    return store().apps().deployments().inNamespace(env.namespace()).withName(name).get();
  }

  public int pods(Map<String, String> labels) {
    return store().pods().inNamespace(env.namespace()).withLabels(labels).list().getItems().size();
  }

  /** Green's scale subresource, as an HPA or a controller writes it. */
  public String greenScalePath() {
    return "/apis/apps/v1/namespaces/" + env.namespace() + "/deployments/" + env.green().deployment() + "/scale";
  }

  /**
   * A second writer's request through the API server's front (not the store), so that the server records it as it
   * records any write: under {@code manager} (a controller's field manager), at the time it was made.
   */
  public void writeAs(String manager, String method, String path, String contentType, String body) {
    try {
      var r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(cluster.server().url() + path
          + "?fieldManager=" + manager)).header("Content-Type", contentType).method(method, java.net.http.HttpRequest.BodyPublishers.ofString(body))
          .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) throw new AssertionError(method + " " + path + ": " + r.statusCode() + " " + r.body());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public List<String> journalTypes() {
    return journal.read().stream().map(Journal.Entry::type).toList();
  }

  @Override
  public void close() {
    clients.forEach(KubernetesClient::close);
    cluster.close();
  }
}
