package lms.rollback.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** One HTTP request to LMS with a timeout; the answer as status and (when it is JSON) a tree. */
final class HttpProbe {

  record Answer(int status, String body, JsonNode json, long millis) {
    /** The text at a dotted path of the JSON answer ("database", "data.status"), or null. */
    String field(String dottedPath) {
      JsonNode n = node(dottedPath);
      return n == null ? null : n.asText();
    }

    /** Whether the JSON answer holds a value (an object or a list too) at a dotted path. */
    boolean has(String dottedPath) {
      return node(dottedPath) != null;
    }

    private JsonNode node(String dottedPath) {
      if (json == null) return null;
      JsonNode n = json;
      for (String part : dottedPath.split("\\.")) n = n.path(part);
      return n.isMissingNode() || n.isNull() ? null : n;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http;
  private final Duration timeout;

  HttpProbe(Duration timeout) {
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  Answer send(String method, URI url, Map<String, String> headers, String body) throws IOException {
    HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(timeout)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    long start = System.nanoTime();
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode json = null;
      try {
        json = r.body().isBlank() ? null : JSON.readTree(r.body());
      } catch (IOException notJson) {
        // a check that needs JSON says so
      }
      return new Answer(r.statusCode(), r.body(), json, (System.nanoTime() - start) / 1_000_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
  }
}
