package lms.rollback.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
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

  /**
   * From now on {@code blue} and {@code green} share {@code requestsPerSecond} as the routes say ({@code blueShare}, in
   * percent), as sidecars do: {@code lag} late. Each keeps the error share and latency last {@link #set} for it.
   */
  public MetricsExporter routed(String blue, String green, double requestsPerSecond, java.util.function.IntSupplier blueShare, java.time.Duration lag) {
    this.router = new Router(blue, green, requestsPerSecond, blueShare, lag.toMillis());
    return this;
  }

  /** Requests {@code service} gets besides its routed share: a route the switch does not own. */
  public MetricsExporter extra(String service, double requestsPerSecond) {
    extra.put(service, requestsPerSecond);
    return this;
  }

  private record Router(String blue, String green, double rps, java.util.function.IntSupplier blueShare, long lagMillis) {}

  private volatile Router router;
  private final Map<String, Double> extra = new ConcurrentHashMap<>();
  private final java.util.Deque<long[]> shares = new java.util.concurrent.ConcurrentLinkedDeque<>();

  /** The share the sidecars apply now: the routes' share as it was {@code lag} ago. */
  private void route() {
    Router r = router;
    if (r == null) return;
    long now = System.currentTimeMillis();
    try {
      shares.add(new long[] {now, r.blueShare().getAsInt()});
    } catch (RuntimeException gone) {
      // the cluster is going away: the last share stays
    }
    long due = now - r.lagMillis();
    // drop what a later reading, itself due, has replaced
    while (shares.size() > 1 && secondAt() <= due) shares.pollFirst();
    long[] oldest = shares.peekFirst();
    long applied = oldest != null && oldest[0] <= due ? oldest[1] : -1;
    if (applied < 0) return;
    for (String service : List.of(r.blue(), r.green())) {
      Traffic t = traffic.get(service);
      long share = service.equals(r.blue()) ? applied : 100 - applied;
      traffic.put(service, new Traffic(r.rps() * share / 100.0 + extra.getOrDefault(service, 0.0), t.errorPercent(), t.latencySeconds(),
          t.dbFailurePercent()));
    }
  }

  private long secondAt() {
    var it = shares.iterator();
    it.next();
    return it.next()[0];
  }

  public MetricsExporter securityAlerts(int n) {
    criticalSecurityAlerts = n;
    return this;
  }

  /** [0] ok, [1] 5xx, [2] db attempts, [3] db failures, [4..] histogram buckets (cumulative), last +Inf. */
  private void tick() {
    route();
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
