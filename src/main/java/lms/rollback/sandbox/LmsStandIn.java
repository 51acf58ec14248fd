package lms.rollback.sandbox;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import lms.rollback.audit.Journal;

/**
 * A Leave Management System in miniature on 127.0.0.1: the endpoints the runbook probes (health,
 * status) and the smoke journeys (login, balance, submission, approvals, dashboard), answering
 * as a given version. Tests and the sandbox turn its database off or slow it down.
 */
public final class LmsStandIn implements AutoCloseable {

  public static final String TOKEN = "sandbox-token";

  private final HttpServer server;
  private volatile java.util.function.Supplier<String> version;
  private volatile boolean databaseUp = true;
  private volatile Duration delay = Duration.ZERO;

  public LmsStandIn(String version) throws IOException {
    this(() -> version);
  }

  /** An LMS whose version is decided per request: the sandbox routes by the VirtualService's weights. */
  public LmsStandIn(java.util.function.Supplier<String> version) throws IOException {
    this.version = version;
    System.setProperty("sun.net.httpserver.nodelay", "true");
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 32);
    server.setExecutor(Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "lms-stand-in");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/", this::handle);
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  public LmsStandIn version(String v) {
    this.version = () -> v;
    return this;
  }

  public LmsStandIn databaseUp(boolean up) {
    this.databaseUp = up;
    return this;
  }

  public LmsStandIn delay(Duration d) {
    this.delay = d;
    return this;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      if (!delay.isZero()) Thread.sleep(delay.toMillis());
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      String version = this.version.get();
      boolean authorized = ("Bearer " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"));
      switch (method + " " + path) {
        case "GET /api/health", "GET /api/v1/health" -> json(ex, 200, Map.of("status", databaseUp ? "ok" : "degraded", "version", version));
        case "GET /api/v1/status" -> json(ex, 200, Map.of("database", databaseUp ? "connected" : "unreachable", "version", version));
        case "POST /api/v1/auth/login" -> {
          String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          json(ex, body.contains("\"password\"") ? 200 : 400, Map.of("token", TOKEN));
        }
        case "GET /api/v1/leave/types" -> json(ex, 200, Map.of("types", java.util.List.of("ANNUAL", "SICK", "PARENTAL")));
        case "GET /api/v1/leave/balance", "GET /api/v1/leave/approvals", "GET /api/v1/dashboard" ->
            json(ex, authorized ? (databaseUp ? 200 : 503) : 401, Map.of("ok", authorized && databaseUp));
        case "POST /api/v1/leave/requests" -> json(ex, authorized ? (databaseUp ? 201 : 503) : 401, Map.of("id", 4711));
        default -> json(ex, 404, Map.of("error", "not found"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void json(HttpExchange ex, int status, Map<String, ?> body) throws IOException {
    byte[] bytes = Journal.json(body).getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
