package lms.rollback.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.ToIntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sandbox's Prometheus: answers /api/v1/query and /api/v1/query_range for the plan's LMS
 * queries from a tiny traffic model — a steady request rate split between Blue and Green by the
 * sandbox VirtualService's current weights, Blue healthy, Green (the bad release) erroring.
 * Only for the sandbox; the tests run a real Prometheus.
 */
public final class MetricsStandIn implements AutoCloseable {

  public static final double REQUESTS_PER_SECOND = 40;
  static final double BLUE_ERROR_PERCENT = 0.3;
  static final double GREEN_ERROR_PERCENT = 12;
  static final double BLUE_P95_SECONDS = 0.09;
  static final double GREEN_P95_SECONDS = 0.8;
  private static final Pattern SERVICE = Pattern.compile("service=\"([^\"]+)\"");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ToIntFunction<String> weightOf;
  private final String blueHost;

  /** {@code weightOf} gives a host's current share of the traffic in percent. */
  public MetricsStandIn(String blueHost, ToIntFunction<String> weightOf) throws IOException {
    this.blueHost = blueHost;
    this.weightOf = weightOf;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/api/v1/", this::handle);
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  double value(String query) {
    Matcher m = SERVICE.matcher(query);
    String service = m.find() ? m.group(1) : "";
    boolean blue = service.equals(blueHost);
    if (query.contains("ALERTS") || query.contains("lms_db_connection")) return 0;
    if (query.contains("histogram_quantile")) return blue ? BLUE_P95_SECONDS : GREEN_P95_SECONDS;
    double errors = blue ? BLUE_ERROR_PERCENT : GREEN_ERROR_PERCENT;
    if (query.contains("code=~\"5..\"")) return errors;
    if (query.contains("code!~\"5..\"")) return 100 - errors;
    return REQUESTS_PER_SECOND * weightOf.applyAsInt(service) / 100.0;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String q = ex.getRequestURI().getRawQuery();
      String query = SandboxApiServer.param(q, "query");
      ObjectNode body = JSON.createObjectNode().put("status", "success");
      ObjectNode data = body.putObject("data");
      ArrayNode result = data.putArray("result");
      double v = value(query == null ? "" : query);
      if (ex.getRequestURI().getPath().endsWith("query_range")) {
        data.put("resultType", "matrix");
        double start = Double.parseDouble(SandboxApiServer.param(q, "start"));
        double end = Double.parseDouble(SandboxApiServer.param(q, "end"));
        double step = Double.parseDouble(SandboxApiServer.param(q, "step").replace("s", ""));
        ObjectNode series = result.addObject();
        series.putObject("metric");
        ArrayNode values = series.putArray("values");
        for (double t = start; t <= end + 1e-9; t += step) values.addArray().add(t).add(String.valueOf(v));
      } else {
        data.put("resultType", "vector");
        result.addObject().putObject("metric");
        ((ObjectNode) result.get(0)).putArray("value").add(System.currentTimeMillis() / 1000.0).add(String.valueOf(v));
      }
      byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, bytes.length);
      ex.getResponseBody().write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
