package lms.rollback.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * An LMS-like /metrics endpoint whose traffic the test sets: for each service a request rate, an
 * error share and a latency, turned into the counters and histogram Prometheus scrapes.
 */
public final class MetricsExporter implements AutoCloseable {

  static final double[] BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
  private static final long TICK_MILLIS = 100;

  /** What a service is doing now. */
  public record Traffic(double requestsPerSecond, double errorPercent, double latencySeconds, double dbFailurePercent) {}

  private final Map<String, Traffic> traffic = new ConcurrentHashMap<>();
  private final Map<String, double[]> counters = new ConcurrentHashMap<>();
  private volatile int criticalSecurityAlerts;
  private final HttpServer server;
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();

  public MetricsExporter() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    server.createContext("/metrics", ex -> {
      try (ex) {
        byte[] body = render().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
      }
    });
    server.start();
    ticker.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  public String target() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  public MetricsExporter set(String service, Traffic t) {
    traffic.put(service, t);
    counters.computeIfAbsent(service, s -> new double[4 + BUCKETS.length + 1]);
    return this;
  }

  public MetricsExporter securityAlerts(int n) {
    criticalSecurityAlerts = n;
    return this;
  }

  /** [0] ok, [1] 5xx, [2] db attempts, [3] db failures, [4..] histogram buckets (cumulative), last +Inf. */
  private void tick() {
    double dt = TICK_MILLIS / 1000.0;
    traffic.forEach((service, t) -> {
      double[] c = counters.get(service);
      synchronized (c) {
        double n = t.requestsPerSecond() * dt;
        c[0] += n * (1 - t.errorPercent() / 100);
        c[1] += n * t.errorPercent() / 100;
        c[2] += n;
        c[3] += n * t.dbFailurePercent() / 100;
        for (int i = 0; i < BUCKETS.length; i++) if (t.latencySeconds() <= BUCKETS[i]) c[4 + i] += n;
        c[4 + BUCKETS.length] += n;
      }
    });
  }

  private String render() {
    StringBuilder sb = new StringBuilder("# TYPE http_requests_total counter\n");
    sb.append("lms_security_critical ").append(criticalSecurityAlerts).append('\n');
    counters.forEach((service, c) -> {
      synchronized (c) {
        sb.append(String.format("http_requests_total{service=\"%s\",code=\"200\"} %.3f%n", service, c[0]));
        sb.append(String.format("http_requests_total{service=\"%s\",code=\"500\"} %.3f%n", service, c[1]));
        sb.append(String.format("lms_db_connection_attempts_total{service=\"%s\"} %.3f%n", service, c[2]));
        sb.append(String.format("lms_db_connection_failures_total{service=\"%s\"} %.3f%n", service, c[3]));
        for (int i = 0; i < BUCKETS.length; i++) {
          sb.append(String.format("http_request_duration_seconds_bucket{service=\"%s\",le=\"%s\"} %.3f%n", service, BUCKETS[i], c[4 + i]));
        }
        sb.append(String.format("http_request_duration_seconds_bucket{service=\"%s\",le=\"+Inf\"} %.3f%n", service, c[4 + BUCKETS.length]));
      }
    });
    return sb.toString();
  }

  public int criticalSecurityAlerts() {
    return criticalSecurityAlerts;
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    server.stop(0);
  }
}
