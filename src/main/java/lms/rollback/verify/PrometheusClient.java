package lms.rollback.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Prometheus' HTTP API (/api/v1/query, /api/v1/query_range). An answer it cannot give — the
 * server down, an error, NaN — is an exception, never a number: callers fail closed on it.
 */
public final class PrometheusClient {

  /** Prometheus could not say; the check that asked is inconclusive. */
  public static final class Unanswered extends Exception {
    public Unanswered(String message) {
      super(message);
    }
  }

  public record Sample(Instant at, double value) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private final URI base;
  private final Duration timeout;
  private final HttpClient http;

  public PrometheusClient(String baseUrl, Duration timeout) {
    this.base = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  public String url() {
    return base.toString();
  }

  /** The value of a query that yields one number now; empty when the vector is empty. */
  public Optional<Double> instant(String query, Instant at) throws Unanswered {
    Optional<String> value = oneValue(query, at);
    return value.isEmpty() ? Optional.empty() : Optional.of(number(value.get(), query));
  }

  /**
   * The value of a one-series query at {@code at}, NaN kept (0/0: nothing counted in its window); empty when the
   * vector is empty. What either means is the caller's to say (the plan's verification.noData).
   */
  public Optional<Double> read(String query, Instant at) throws Unanswered {
    Optional<String> value = oneValue(query, at);
    return value.isEmpty() ? Optional.empty() : Optional.of(parse(value.get(), query));
  }

  /**
   * The one sample of an instant query's answer as Prometheus wrote it ("0.25", "NaN"), empty for an empty vector. An
   * answer of another shape — a matrix, a string, several series, a sample without its [time, value] pair — is not a
   * reading: it is unanswered (#38), never a number made up from it.
   */
  private Optional<String> oneValue(String query, Instant at) throws Unanswered {
    JsonNode data = call("api/v1/query?query=" + enc(query) + "&time=" + seconds(at));
    String type = data.path("resultType").asText("");
    JsonNode result = data.path("result");
    if (type.equals("scalar")) return Optional.of(valueOf(result, query, type));
    if (!type.equals("vector") || !result.isArray()) {
      throw new Unanswered("'" + query + "' was answered with " + (type.isEmpty() ? "no resultType" : "a " + type)
          + " where an instant vector was expected");
    }
    if (result.isEmpty()) return Optional.empty();
    if (result.size() > 1) throw new Unanswered("'" + query + "' returned " + result.size() + " series where one was expected; aggregate it with sum()");
    return Optional.of(valueOf(result.get(0).path("value"), query, type));
  }

  /** The value of a [time, "value"] pair. */
  private static String valueOf(JsonNode pair, String query, String type) throws Unanswered {
    if (!pair.isArray() || pair.size() != 2 || !pair.get(1).isTextual()) {
      throw new Unanswered("'" + query + "' was answered with a " + type + " whose sample is not a [time, value] pair");
    }
    return pair.get(1).asText();
  }

  /** As {@link #range}, NaN samples kept. */
  public List<Sample> rangeWithNaN(String query, Instant start, Instant end, Duration step) throws Unanswered {
    return range(query, start, end, step, true);
  }

  /** The samples of a one-series query over [start, end]; empty when there is no data. */
  public List<Sample> range(String query, Instant start, Instant end, Duration step) throws Unanswered {
    return range(query, start, end, step, false);
  }

  private List<Sample> range(String query, Instant start, Instant end, Duration step, boolean keepNaN) throws Unanswered {
    JsonNode result = call("api/v1/query_range?query=" + enc(query) + "&start=" + seconds(start) + "&end=" + seconds(end) + "&step="
        + Math.max(1, step.toSeconds()) + "s").path("result");
    List<Sample> samples = new ArrayList<>();
    if (!result.isArray()) throw new Unanswered("'" + query + "' was answered without a result list where a range vector was expected");
    if (result.isEmpty()) return samples;
    if (result.size() > 1) throw new Unanswered("'" + query + "' returned " + result.size() + " series where one was expected; aggregate it with sum()");
    for (JsonNode v : result.get(0).path("values")) {
      if (!v.isArray() || v.size() != 2 || !v.get(0).isNumber() || !v.get(1).isTextual()) {
        throw new Unanswered("'" + query + "' was answered with a sample that is not a [time, value] pair");
      }
      double value = keepNaN ? parse(v.get(1).asText(), query) : number(v.get(1).asText(), query);
      samples.add(new Sample(Instant.ofEpochMilli(Math.round(v.get(0).asDouble() * 1000)), value));
    }
    return samples;
  }

  private JsonNode call(String pathAndQuery) throws Unanswered {
    HttpRequest request = HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(timeout).GET().build();
    HttpResponse<String> r;
    try {
      r = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new Unanswered("Prometheus at " + base + " unreachable: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unanswered("interrupted");
    }
    try {
      JsonNode body = JSON.readTree(r.body());
      if (r.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
        throw new Unanswered("Prometheus answered HTTP " + r.statusCode() + ": " + body.path("error").asText(r.body()));
      }
      return body.path("data");
    } catch (IOException e) {
      throw new Unanswered("Prometheus answered HTTP " + r.statusCode() + " with no JSON");
    }
  }

  private static double number(String text, String query) throws Unanswered {
    double v = parse(text, query);
    if (Double.isNaN(v)) throw new Unanswered("'" + query + "' is NaN (no requests to divide by?)");
    return v;
  }

  private static double parse(String text, String query) throws Unanswered {
    if (text.endsWith("Inf")) return text.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new Unanswered("'" + query + "' gave '" + text + "'");
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String seconds(Instant t) {
    return String.format("%.3f", t.toEpochMilli() / 1000.0);
  }
}
