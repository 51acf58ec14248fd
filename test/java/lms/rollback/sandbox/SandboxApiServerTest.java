package lms.rollback.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where fabric8's CRUD mock differs from a real API server, the sandbox must not. */
class SandboxApiServerTest {

  @TempDir static Path out;
  static Sandbox sandbox;
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() {
    sandbox = Sandbox.start(out);
  }

  @AfterAll
  static void stop() {
    sandbox.close();
  }

  static HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sandbox.cluster.server().url() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) b.header("Content-Type", contentType);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode get(String path) throws Exception {
    HttpResponse<String> r = send("GET", path, null, null);
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    return JSON.readTree(r.body());
  }

  @Test
  void servesDiscoveryAndVersionLikeARealServer() throws Exception {
    assertEquals("1", get("/version").path("major").asText());
    assertEquals("v1", get("/api").path("versions").get(0).asText());
    JsonNode groups = get("/apis").path("groups");
    assertTrue(groups.toString().contains("\"networking.istio.io/v1\""), groups.toString());
    JsonNode istio = get("/apis/networking.istio.io/v1");
    assertEquals("virtualservices", istio.path("resources").get(0).path("name").asText());
    assertTrue(get("/apis/apps/v1").toString().contains("\"deployments/scale\""));
  }

  @Test
  void mergePatchReplacesArraysAsRfc7386Says() throws Exception {
    // the runbook's own patch: http[] becomes exactly the one route it names
    String patch = "{\"spec\":{\"http\":[{\"route\":[{\"destination\":{\"host\":\"lms-blue\"},\"weight\":100}]}]}}";
    String path = "/apis/networking.istio.io/v1/namespaces/production/virtualservices/lms-vs";
    String before = send("GET", path, null, null).body();
    try {
      HttpResponse<String> r = send("PATCH", path, "application/merge-patch+json", patch);

      assertEquals(200, r.statusCode(), r.body());
      JsonNode http = get(path).path("spec").path("http");
      assertEquals(1, http.size(), http.toString());
      assertTrue(http.get(0).path("match").isMissingNode(), "the merge patch dropped match, as kubectl's would on a real server");
      assertEquals(java.util.List.of("lms.company.com"), java.util.List.of(get(path).path("spec").path("hosts").get(0).asText()));
    } finally {
      JsonNode restore = JSON.readTree(before);
      ((com.fasterxml.jackson.databind.node.ObjectNode) restore.path("metadata")).remove("resourceVersion");
      send("PUT", path, "application/json", restore.toString());
    }
  }

  @Test
  void scaleSubresourceSpeaksAutoscalingV1() throws Exception {
    JsonNode scale = get("/apis/apps/v1/namespaces/production/deployments/lms-blue/scale");

    assertEquals("autoscaling/v1", scale.path("apiVersion").asText());
    assertEquals("Scale", scale.path("kind").asText());
    assertEquals(3, scale.path("spec").path("replicas").asInt());
    assertEquals("app=lms-blue", scale.path("status").path("selector").asText());

    HttpResponse<String> bad = send("PATCH", "/apis/apps/v1/namespaces/production/deployments/lms-blue/scale",
        "application/merge-patch+json", "{\"spec\":{\"replicas\":-1}}");
    assertEquals(422, bad.statusCode());
  }

  @Test
  void listsCarryTheirTypedKind() throws Exception {
    assertEquals("PodList", get("/api/v1/namespaces/production/pods").path("kind").asText());
    assertEquals("DeploymentList", get("/apis/apps/v1/namespaces/production/deployments").path("kind").asText());
  }

  @Test
  void watchStreamsEventsOverPlainHttp() throws Exception {
    // Given a plain HTTP watch on Blue's Deployment from its current resourceVersion
    String rv = get("/apis/apps/v1/namespaces/production/deployments/lms-blue").path("metadata").path("resourceVersion").asText();
    HttpURLConnection c = (HttpURLConnection) URI.create(sandbox.cluster.server().url()
        + "/apis/apps/v1/namespaces/production/deployments?watch=true&fieldSelector=metadata.name%3Dlms-blue&resourceVersion=" + rv
        + "&timeoutSeconds=10").toURL().openConnection();
    CompletableFuture<String> firstEvent = CompletableFuture.supplyAsync(() -> {
      try (var reader = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8))) {
        return reader.readLine();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    Thread.sleep(300);

    // When the Deployment changes
    sandbox.store().apps().deployments().inNamespace("production").withName("lms-blue").edit(d -> {
      d.getMetadata().getAnnotations().put("touched", "yes");
      return d;
    });

    // Then the change arrives on the stream, and not a replay of what was there before
    JsonNode event = JSON.readTree(firstEvent.get(10, TimeUnit.SECONDS));
    assertEquals("MODIFIED", event.path("type").asText(), event.toString());
    assertEquals("yes", event.path("object").path("metadata").path("annotations").path("touched").asText());
    c.disconnect();
  }

  @Test
  void podLogsAreServed() throws Exception {
    String pod = sandbox.store().pods().inNamespace("production").withLabels(sandbox.env.green().podLabels()).list().getItems().get(0)
        .getMetadata().getName();

    HttpResponse<String> r = send("GET", "/api/v1/namespaces/production/pods/" + pod + "/log?container=lms", null, null);

    assertEquals(200, r.statusCode());
    assertTrue(r.body().contains(pod), r.body());
  }

  @Test
  void injectedFaultsAnswerInsteadOfTheStoreThenStop() throws Exception {
    sandbox.cluster.server().inject("GET", "/api/v1/namespaces/production/services", 503, 1);

    assertEquals(503, send("GET", "/api/v1/namespaces/production/services", null, null).statusCode());
    assertEquals(200, send("GET", "/api/v1/namespaces/production/services", null, null).statusCode());
  }
}
