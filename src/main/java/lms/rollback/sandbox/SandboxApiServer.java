package lms.rollback.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The sandbox's Kubernetes API on 127.0.0.1: fabric8's CRUD mock server holds the objects, and
 * this front server makes it behave like a real API server where the mock does not — discovery
 * and /version, RFC 7386 merge patch, the autoscaling/v1 Scale subresource, watch over plain
 * HTTP streaming, pod logs, the field manager and time of each write to a Deployment or VirtualService in its
 * {@code metadata.managedFields} — so that kubectl and lmsctl can both drive it. Tests can also inject faults (HTTP
 * status for matching requests) and act as a second writer just before a matching request is served.
 */
public final class SandboxApiServer implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SCALE = Pattern.compile("/apis/apps/v1/namespaces/([^/]+)/deployments/([^/]+)/scale");
  /** The objects whose writers are recorded, as a real API server records every object's. */
  private static final Pattern MANAGED = Pattern.compile("/apis/(apps/v1|networking\\.istio\\.io/v1[a-z0-9]*)/namespaces/[^/]+/(deployments|virtualservices)/[^/]+");
  private static final Pattern LOG = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/]+)/log");
  private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(30);

  /** A response the server gives instead of the real one, {@code times} times. */
  public record Fault(String method, Pattern path, int status, AtomicInteger times) {}

  private final KubernetesMockServer backend = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
      new KubernetesCrudDispatcher(), false);
  private final HttpClient forward = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
  /** Something done just before a matching request is served: another writer acting while a run is at that point. */
  private record Before(String method, Pattern path, Runnable action) {}
  private final ConcurrentLinkedQueue<Before> before = new ConcurrentLinkedQueue<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "sandbox-api");
    t.setDaemon(true);
    return t;
  });
  private HttpServer front;
  private KubernetesClient backendClient;
  private LogSource logSource = (ns, pod, container, out) -> { };
  private String backendBase;

  /** Starts on 127.0.0.1; port 0 picks a free one. */
  public SandboxApiServer start(int port) throws IOException {
    // without it the JDK server's separate header and body writes meet delayed ACKs: ~40 ms a request
    System.setProperty("sun.net.httpserver.nodelay", "true");
    backend.init(InetAddress.getLoopbackAddress(), 0);
    backend.expectCustomResource(new CustomResourceDefinitionContext.Builder().withGroup("networking.istio.io").withVersion("v1")
        .withPlural("virtualservices").withKind("VirtualService").withScope("Namespaced").build());
    backendBase = "http://127.0.0.1:" + backend.getPort();
    backendClient = backend.createClient(lms.rollback.cluster.ClusterConnection.httpClients());
    front = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
    front.setExecutor(workers);
    front.createContext("/", this::handle);
    front.start();
    return this;
  }

  public String url() {
    return "http://127.0.0.1:" + front.getAddress().getPort();
  }

  public int port() {
    return front.getAddress().getPort();
  }

  /** Direct access to the stored objects, bypassing the front (for seeding and the controller). */
  public KubernetesClient backendClient() {
    return backendClient;
  }

  /** A client that talks to the front, as lmsctl does. */
  public KubernetesClient client() {
    return lms.rollback.cluster.ClusterConnection.client(new ConfigBuilder(Config.empty()).withMasterUrl(url()).withNamespace("default")
        .withTrustCerts(true).build());
  }

  /** Writes one container's log as the API server streams it; may write megabytes, a chunk at a time. */
  @FunctionalInterface
  public interface LogSource {
    void write(String namespace, String pod, String container, OutputStream out) throws IOException;
  }

  public void setLogSource(Function<String[], String> source) {
    this.logSource = (ns, pod, container, out) -> out.write(source.apply(new String[] {ns, pod, container}).getBytes(StandardCharsets.UTF_8));
  }

  public void setLogSource(LogSource source) {
    this.logSource = source;
  }

  public void inject(String method, String pathRegex, int status, int times) {
    faults.add(new Fault(method, Pattern.compile(pathRegex), status, new AtomicInteger(times)));
  }

  /** Runs {@code action} (e.g. a controller's write) before each request of {@code method} on a path matching {@code pathRegex} is served. */
  public void before(String method, String pathRegex, Runnable action) {
    before.add(new Before(method, Pattern.compile(pathRegex), action));
  }

  public void clearFaults() {
    faults.clear();
  }

  public int requestCount() {
    return requests.get();
  }

  /** A kubeconfig for this server, for kubectl and lmsctl. */
  public Path writeKubeconfig(Path file) throws IOException {
    String yaml = String.join("\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: lms-sandbox",
        "  cluster:",
        "    server: " + url(),
        "contexts:",
        "- name: lms-sandbox",
        "  context:",
        "    cluster: lms-sandbox",
        "    user: lms-sandbox",
        "    namespace: production",
        "current-context: lms-sandbox",
        "users:",
        "- name: lms-sandbox",
        "  user: {}",
        "");
    if (file.getParent() != null) Files.createDirectories(file.getParent());
    Files.writeString(file, yaml);
    return file;
  }

  private void handle(HttpExchange ex) throws IOException {
    requests.incrementAndGet();
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      String query = ex.getRequestURI().getRawQuery();
      String method = ex.getRequestMethod();
      for (Before b : before) {
        if (b.method().equalsIgnoreCase(method) && b.path().matcher(path).matches()) b.action().run();
      }
      for (Fault f : faults) {
        if (f.method().equalsIgnoreCase(method) && f.path().matcher(path).matches() && f.times().getAndDecrement() > 0) {
          status(ex, f.status(), "injected fault");
          return;
        }
      }
      var discovery = ApiDiscovery.document(path, "127.0.0.1:" + port());
      if (discovery.isPresent() && method.equals("GET")) {
        send(ex, 200, "application/json", discovery.get());
        return;
      }
      if (path.startsWith("/openapi")) {
        status(ex, 404, "the sandbox serves no OpenAPI document");
        return;
      }
      var scale = SCALE.matcher(path);
      if (scale.matches()) {
        scale(ex, method, scale.group(1), scale.group(2));
        return;
      }
      var log = LOG.matcher(path);
      if (log.matches() && method.equals("GET")) {
        String container = param(query, "container");
        if (backendClient.pods().inNamespace(log.group(1)).withName(log.group(2)).get() == null) {
          status(ex, 404, "pods \"" + log.group(2) + "\" not found");
          return;
        }
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        ex.sendResponseHeaders(200, 0); // chunked: a log is streamed, never built whole
        try (OutputStream out = ex.getResponseBody()) {
          logSource.write(log.group(1), log.group(2), container, out);
        }
        return;
      }
      if (isWatch(path, query)) {
        if ("websocket".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Upgrade"))) {
          // a client may try a websocket first and fall back to HTTP streaming on 503, as against many proxies; any other
          // Upgrade (the JDK's HTTP client offers h2c on plain HTTP) is not a websocket and gets the stream
          status(ex, 503, "watch is served over HTTP streaming");
          return;
        }
        watch(ex, path, query);
        return;
      }
      String contentType = ex.getRequestHeaders().getFirst("Content-Type");
      if (method.equals("PATCH") && contentType != null
          && (contentType.startsWith("application/merge-patch+json") || contentType.startsWith("application/strategic-merge-patch+json"))) {
        mergePatch(ex, path, contentType);
        return;
      }
      byte[] body = ex.getRequestBody().readAllBytes();
      HttpResponse<byte[]> r = call(method, path + (query == null ? "" : "?" + query), contentType, body);
      if ((method.equals("PATCH") || method.equals("PUT")) && r.statusCode() / 100 == 2 && MANAGED.matcher(path).matches()) {
        JsonNode written = JSON.readTree(r.body());
        recordWriter(written, manager(ex));
        r = call("PUT", path, "application/json", JSON.writeValueAsBytes(written));
      }
      String type = r.headers().firstValue("Content-Type").orElse("application/json");
      byte[] out = r.body();
      if (method.equals("GET") && r.statusCode() == 200) {
        JsonNode typed = typedList(JSON.readTree(out), path);
        out = (wantsTable(ex) ? TableView.of(typed, param(query, "includeObject")) : typed).toString().getBytes(StandardCharsets.UTF_8);
        type = "application/json";
      }
      send(ex, r.statusCode(), type, out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | IOException e) {
      try {
        status(ex, 500, "sandbox: " + e);
      } catch (IOException ignored) {
        // the client went away
      }
    }
  }

  private HttpResponse<byte[]> call(String method, String pathAndQuery, String contentType, byte[] body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(backendBase + pathAndQuery)).timeout(FORWARD_TIMEOUT)
        .method(method, body == null || body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) b.header("Content-Type", contentType);
    return forward.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private JsonNode getJson(String path) throws IOException, InterruptedException {
    HttpResponse<byte[]> r = call("GET", path, null, null);
    return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
  }

  private void mergePatch(HttpExchange ex, String path, String contentType) throws IOException, InterruptedException {
    JsonNode patch = JSON.readTree(ex.getRequestBody().readAllBytes());
    JsonNode current = getJson(path);
    if (current == null) {
      status(ex, 404, path + " not found");
      return;
    }
    JsonNode merged = MergePatch.apply(current, patch);
    if (MANAGED.matcher(path).matches()) recordWriter(merged, manager(ex));
    HttpResponse<byte[]> r = call("PUT", path, "application/json", JSON.writeValueAsBytes(merged));
    send(ex, r.statusCode(), "application/json", r.body());
  }

  private void scale(HttpExchange ex, String method, String ns, String name) throws IOException, InterruptedException {
    String deploymentPath = "/apis/apps/v1/namespaces/" + ns + "/deployments/" + name;
    JsonNode deployment = getJson(deploymentPath);
    if (deployment == null) {
      status(ex, 404, "deployments.apps \"" + name + "\" not found");
      return;
    }
    if (!method.equals("GET")) {
      JsonNode body = JSON.readTree(ex.getRequestBody().readAllBytes());
      JsonNode replicas = body.path("spec").path("replicas");
      if (!replicas.isInt() || replicas.asInt() < 0) {
        status(ex, 422, "Scale.spec.replicas: must be a whole number >= 0");
        return;
      }
      ((ObjectNode) deployment.path("spec")).put("replicas", replicas.asInt());
      recordWriter(deployment, manager(ex));
      HttpResponse<byte[]> r = call("PUT", deploymentPath, "application/json", JSON.writeValueAsBytes(deployment));
      if (r.statusCode() != 200) {
        send(ex, r.statusCode(), "application/json", r.body());
        return;
      }
      deployment = JSON.readTree(r.body());
    }
    send(ex, 200, "application/json", JSON.writeValueAsString(toScale(deployment)));
  }

  /**
   * A real API server's record of a write: the field manager (the request's fieldManager, else its User-Agent up to the
   * first '/') and the time, to the second, in {@code metadata.managedFields}; one Update entry per manager.
   */
  private static void recordWriter(JsonNode object, String manager) {
    ObjectNode meta = (ObjectNode) object.path("metadata");
    com.fasterxml.jackson.databind.node.ArrayNode entries = JSON.createArrayNode();
    if (meta.path("managedFields").isArray()) {
      meta.path("managedFields").forEach(e -> {
        if (!(manager.equals(e.path("manager").asText()) && "Update".equals(e.path("operation").asText()))) entries.add(e);
      });
    }
    entries.addObject().put("manager", manager).put("operation", "Update").put("apiVersion", object.path("apiVersion").asText())
        .put("time", java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString()).put("fieldsType", "FieldsV1")
        .putObject("fieldsV1");
    meta.set("managedFields", entries);
  }

  private static String manager(HttpExchange ex) {
    String given = param(ex.getRequestURI().getRawQuery(), "fieldManager");
    if (given != null && !given.isBlank()) return given;
    String agent = ex.getRequestHeaders().getFirst("User-Agent");
    return agent == null || agent.isBlank() ? "unknown" : agent.split("/", 2)[0];
  }

  static ObjectNode toScale(JsonNode deployment) {
    ObjectNode scale = JSON.createObjectNode().put("apiVersion", "autoscaling/v1").put("kind", "Scale");
    JsonNode meta = deployment.path("metadata");
    ObjectNode m = scale.putObject("metadata");
    for (String f : List.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp")) {
      if (meta.has(f)) m.set(f, meta.get(f));
    }
    scale.putObject("spec").put("replicas", deployment.path("spec").path("replicas").asInt(1));
    StringBuilder selector = new StringBuilder();
    deployment.path("spec").path("selector").path("matchLabels").fields()
        .forEachRemaining(e -> selector.append(selector.length() > 0 ? "," : "").append(e.getKey()).append('=').append(e.getValue().asText()));
    scale.putObject("status").put("replicas", deployment.path("status").path("replicas").asInt(0)).put("selector", selector.toString());
    return scale;
  }

  /** The mock answers every list as kind "List"; a real server says "PodList", "DeploymentList", …. */
  static JsonNode typedList(JsonNode body, String path) {
    if (!"List".equals(body.path("kind").asText()) || !body.isObject()) return body;
    String[] parts = path.split("/");
    var kind = ApiDiscovery.byPlural(parts[parts.length - 1]);
    if (kind.isEmpty()) return body;
    ObjectNode typed = ((ObjectNode) body).deepCopy();
    typed.put("kind", kind.get().kind() + "List");
    typed.put("apiVersion", kind.get().group().isEmpty() ? kind.get().version() : kind.get().group() + "/" + kind.get().version());
    return typed;
  }

  private static boolean isWatch(String path, String query) {
    return path.contains("/watch/") || "true".equals(param(query, "watch")) || "1".equals(param(query, "watch"));
  }

  /** Streams the mock's websocket watch events as newline-delimited JSON, as a real API server does. */
  private void watch(HttpExchange ex, String path, String query) throws IOException {
    String wsPath = path.replace("/watch/", "/");
    String wsQuery = query == null ? "watch=true" : query.contains("watch=") ? query : query + "&watch=true";
    LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
    CountDownLatch closed = new CountDownLatch(1);
    WebSocket ws;
    try {
      ws = forward.newWebSocketBuilder().buildAsync(URI.create(backendBase.replace("http", "ws") + wsPath + "?" + wsQuery),
          new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
              partial.append(data);
              if (last) {
                events.add(partial.toString());
                partial.setLength(0);
              }
              w.request(1);
              return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
              closed.countDown();
              return null;
            }

            @Override
            public void onError(WebSocket w, Throwable error) {
              closed.countDown();
            }
          }).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      status(ex, 500, "sandbox: cannot open watch: " + e.getMessage());
      return;
    }
    long timeoutSeconds = parseLong(param(query, "timeoutSeconds"), 1800);
    long sinceVersion = parseLong(param(query, "resourceVersion"), 0);
    boolean table = wantsTable(ex);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.getResponseHeaders().set("Transfer-Encoding", "chunked");
    ex.sendResponseHeaders(200, 0);
    OutputStream out = ex.getResponseBody();
    try {
      out.flush();
      while (System.nanoTime() < deadline && closed.getCount() > 0) {
        String event = events.poll(1, TimeUnit.SECONDS);
        if (event != null && !alreadySeen(event, sinceVersion)) {
          out.write(((table ? asTableEvent(event) : event) + "\n").getBytes(StandardCharsets.UTF_8));
          out.flush();
        }
      }
    } catch (IOException | InterruptedException e) {
      // the watcher hung up
    } finally {
      ws.abort();
    }
  }

  /**
   * The mock replays every existing object as ADDED; a real server, asked to watch from a
   * resourceVersion, sends only what changed after it.
   */
  private static boolean alreadySeen(String event, long sinceVersion) {
    if (sinceVersion <= 0) return false;
    try {
      JsonNode n = JSON.readTree(event);
      return "ADDED".equals(n.path("type").asText())
          && parseLong(n.path("object").path("metadata").path("resourceVersion").asText(null), Long.MAX_VALUE) <= sinceVersion;
    } catch (IOException e) {
      return false;
    }
  }

  private static String asTableEvent(String event) throws IOException {
    ObjectNode n = (ObjectNode) JSON.readTree(event);
    if (n.path("object").path("kind").asText().equals("Status")) return event;
    n.set("object", TableView.of(n.get("object"), "Object"));
    return n.toString();
  }

  private static boolean wantsTable(HttpExchange ex) {
    String accept = ex.getRequestHeaders().getFirst("Accept");
    return accept != null && accept.contains("as=Table");
  }

  static String param(String query, String name) {
    if (query == null) return null;
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (key.equals(name)) return eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
    }
    return null;
  }

  private static long parseLong(String s, long fallback) {
    try {
      return s == null ? fallback : Long.parseLong(s);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static void status(HttpExchange ex, int code, String message) throws IOException {
    String reason = switch (code) {
      case 404 -> "NotFound";
      case 409 -> "Conflict";
      case 422 -> "Invalid";
      case 503 -> "ServiceUnavailable";
      default -> code >= 500 ? "InternalError" : "BadRequest";
    };
    send(ex, code, "application/json", JSON.valueToTree(Map.of("apiVersion", "v1", "kind", "Status", "status", "Failure",
        "message", message, "reason", reason, "code", code)).toString());
  }

  private static void send(HttpExchange ex, int code, String type, String body) throws IOException {
    send(ex, code, type, body.getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange ex, int code, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
    if (body.length > 0) ex.getResponseBody().write(body);
  }

  @Override
  public void close() {
    if (front != null) front.stop(0);
    workers.shutdownNow();
    if (backendClient != null) backendClient.close();
    backend.destroy();
  }
}
