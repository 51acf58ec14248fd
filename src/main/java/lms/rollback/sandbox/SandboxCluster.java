package lms.rollback.sandbox;

import io.fabric8.istio.api.networking.v1.VirtualService;
import io.fabric8.istio.client.IstioClient;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import lms.rollback.cluster.RouteTable;
import lms.rollback.plan.Environment;
import lms.rollback.plan.RunbookTables;

/**
 * An embedded cluster holding the LMS objects of one environment as they are after a bad
 * release: the VirtualService sends everything to Green, Blue (the previous release) still runs.
 */
public final class SandboxCluster implements AutoCloseable {

  public static final String BLUE_VERSION = "2.4.1";
  public static final String GREEN_VERSION = "3.0.0";
  public static final String IMAGE = "registry.local/lms:";
  public static final int REPLICAS = 3;
  public static final Duration DEFAULT_TERMINATION_DELAY = Duration.ofMillis(300);
  /** Green was deployed this long ago: inside §1.2's first capability window. */
  public static final Duration GREEN_AGE = Duration.ofMinutes(50);
  public static final String DEPLOYED_AT = lms.rollback.cluster.ClusterStatus.DEPLOYED_AT;
  private static final Duration SEED_TIMEOUT = Duration.ofSeconds(20);

  private final SandboxApiServer server;
  private final StandInController controller;
  private LmsStandIn lmsStandIn;
  private MetricsStandIn metrics;

  private SandboxCluster(SandboxApiServer server, StandInController controller) {
    this.server = server;
    this.controller = controller;
  }

  public static SandboxCluster start(int port, Duration terminationDelay) {
    try {
      SandboxApiServer server = new SandboxApiServer().start(port);
      server.setLogSource(SandboxCluster::podLog);
      StandInController controller = new StandInController(server.backendClient(), terminationDelay);
      return new SandboxCluster(server, controller);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the sandbox API server on 127.0.0.1:" + port + ": " + e.getMessage(), e);
    }
  }

  public SandboxApiServer server() {
    return server;
  }

  public KubernetesClient store() {
    return server.backendClient();
  }

  /** Blue's current share of the environment's traffic, in percent, as its VirtualService says. */
  public int blueShare(Environment env) {
    var vs = store().adapt(IstioClient.class).v1().virtualServices().inNamespace(env.namespace()).withName(env.virtualService()).get();
    if (vs == null) return 0;
    var shares = RouteTable.of(vs, env).shares();
    return shares.isEmpty() ? 0 : shares.get(0).blue();
  }

  /** As {@link #startLms(Environment, RunbookTables.Verification)}, its metrics answering the built-in plan's queries. */
  public LmsStandIn startLms(Environment env) {
    return startLms(env, new lms.rollback.plan.PlanLoader().loadDefault().verification());
  }

  /**
   * The LMS as its users reach it (each request served by Blue or Green as the weights say), and
   * its metrics, answering the queries of {@code verification}; both closed with the sandbox.
   */
  public LmsStandIn startLms(Environment env, RunbookTables.Verification verification) {
    try {
      lmsStandIn = new LmsStandIn(() -> java.util.concurrent.ThreadLocalRandom.current().nextInt(100) < blueShare(env) ? BLUE_VERSION : GREEN_VERSION);
      metrics = new MetricsStandIn(verification.queries(), env.blue().host(), env.green().host(),
          host -> env.blue().isHost(host) ? blueShare(env) : 100 - blueShare(env));
      return lmsStandIn;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the LMS stand-ins: " + e.getMessage(), e);
    }
  }

  public MetricsStandIn metrics() {
    return metrics;
  }

  /** Seeds the environment: namespace, Blue and Green with ready pods, VirtualService 0 / 100. */
  public SandboxCluster seed(Environment env) {
    return seed(env, Map.of());
  }

  /** As {@link #seed(Environment)}, with extra annotations on Blue's Deployment (e.g. a ready limit). */
  public SandboxCluster seed(Environment env, Map<String, String> blueAnnotations) {
    return seed(env, blueAnnotations, REPLICAS, REPLICAS);
  }

  /**
   * As {@link #seed(Environment, Map)}, with Blue and Green both at {@code replicas} ready pods (a production-sized
   * environment: a Blue smaller than Green could not take its traffic).
   */
  public SandboxCluster seed(Environment env, Map<String, String> blueAnnotations, int replicas) {
    return seed(env, blueAnnotations, replicas, replicas);
  }

  /** As {@link #seed(Environment, Map)}, with Blue at {@code blueReplicas} and Green at {@code greenReplicas} ready pods. */
  public SandboxCluster seed(Environment env, Map<String, String> blueAnnotations, int blueReplicas, int greenReplicas) {
    KubernetesClient store = store();
    String ns = env.namespace();
    store.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).createOr(x -> x.update());
    store.apps().deployments().inNamespace(ns).resource(deployment(env.blue(), ns, BLUE_VERSION, blueAnnotations, Instant.now().minus(Duration.ofDays(6)), blueReplicas))
        .createOr(x -> x.update());
    store.apps().deployments().inNamespace(ns).resource(deployment(env.green(), ns, GREEN_VERSION, Map.of(), Instant.now().minus(GREEN_AGE), greenReplicas))
        .createOr(x -> x.update());
    store.adapt(IstioClient.class).v1().virtualServices().inNamespace(ns).resource(virtualService(env)).createOr(x -> x.update());
    controller.watch(ns);
    controller.reconcileNow(ns, env.blue().deployment());
    controller.reconcileNow(ns, env.green().deployment());
    awaitPods(env, blueReplicas, greenReplicas);
    return this;
  }

  private void awaitPods(Environment env, int blueReplicas, int greenReplicas) {
    long deadline = System.nanoTime() + SEED_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      int blue = store().pods().inNamespace(env.namespace()).withLabels(env.blue().podLabels()).list().getItems().size();
      int green = store().pods().inNamespace(env.namespace()).withLabels(env.green().podLabels()).list().getItems().size();
      if (blue == blueReplicas && green == greenReplicas) return;
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    throw new IllegalStateException("the sandbox did not start its pods within " + SEED_TIMEOUT.toSeconds() + "s");
  }

  static Deployment deployment(Environment.Side side, String ns, String version, Map<String, String> annotations, Instant created,
      int replicas) {
    return new DeploymentBuilder()
        .withNewMetadata().withName(side.deployment()).withNamespace(ns).addToLabels(side.podLabels())
        .addToLabels("version", version).addToAnnotations(annotations).addToAnnotations(DEPLOYED_AT, created.toString())
        .withCreationTimestamp(created.toString()).withGeneration(1L).endMetadata()
        .withNewSpec().withReplicas(replicas)
        .withNewSelector().addToMatchLabels(side.podLabels()).endSelector()
        .withNewTemplate().withNewMetadata().addToLabels(side.podLabels()).addToLabels("version", version).endMetadata()
        .withNewSpec().addNewContainer().withName("lms").withImage(IMAGE + version).addNewPort().withContainerPort(8080).endPort()
        .endContainer().endSpec().endTemplate().endSpec().build();
  }

  /** A route as production has them: match, timeout, retries and headers that a merge patch would drop. */
  static VirtualService virtualService(Environment env) {
    String yaml = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: %1$s
          namespace: %2$s
        spec:
          hosts: [lms.company.com]
          gateways: [lms-gateway]
          http:
          - name: api
            match:
            - uri: {prefix: /api}
            timeout: 10s
            retries: {attempts: 3, perTryTimeout: 2s, retryOn: "5xx,connect-failure"}
            headers:
              response:
                set: {x-lms-route: api}
            route:
            - destination: {host: %3$s, port: {number: 8080}}
              weight: 0
            - destination: {host: %4$s, port: {number: 8080}}
              weight: 100
          - name: web
            route:
            - destination: {host: %3$s, port: {number: 8080}}
              weight: 0
            - destination: {host: %4$s, port: {number: 8080}}
              weight: 100
        """.formatted(env.virtualService(), env.namespace(), env.blue().host(), env.green().host());
    return Serialization.unmarshal(yaml, VirtualService.class);
  }

  static String podLog(String[] namespacePodContainer) {
    String pod = namespacePodContainer[1];
    String version = pod.contains("green") ? GREEN_VERSION : BLUE_VERSION;
    String t = Instant.now().minus(GREEN_AGE).toString();
    String last = version.equals(GREEN_VERSION)
        ? t + " ERROR POST /api/v1/leave/requests 500 23ms: NullPointerException in LeaveBalanceCalculator"
        : t + " INFO  POST /api/v1/leave/requests 201 19ms";
    return String.join("\n",
        t + " INFO  lms " + version + " starting (pod " + pod + ")",
        t + " INFO  connected to database",
        t + " INFO  GET /api/health 200 3ms",
        last,
        "");
  }

  @Override
  public void close() {
    if (lmsStandIn != null) lmsStandIn.close();
    if (metrics != null) metrics.close();
    controller.close();
    server.close();
  }
}
