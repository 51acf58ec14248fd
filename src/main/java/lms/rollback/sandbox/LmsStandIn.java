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
 * as a given version. Tests and the sandbox turn its database off or slow it down. It keeps every
 * request it received and every leave request it booked (a submission without validateOnly=true),
 * so a test can tell what a smoke run changed.
 */
public final class LmsStandIn implements AutoCloseable {

  /** The smoke user's token: its account is {@link #USER}. */
  public static final String TOKEN = "sandbox-token";
  public static final String USER = "smoke-user";
  /** A test account's token, whose bookings are tests: its account is {@link #TEST_ACCOUNT}. */
  public static final String TEST_ACCOUNT_TOKEN = "sandbox-test-account-token";
  public static final String TEST_ACCOUNT = "smoke-test-account";

  /** A request as received: the account is the one its Authorization header names, or null. */
  public record Received(String method, String path, String query, String account) {}

  /** A leave request stored by a submission, and whether it was cancelled since. */
  public record Booking(int id, String account, boolean cancelled) {}

  private final java.util.List<Received> received = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final java.util.Map<Integer, Booking> bookings = new java.util.concurrent.ConcurrentSkipListMap<>();
  private final java.util.concurrent.atomic.AtomicInteger nextId = new java.util.concurrent.atomic.AtomicInteger(4711);

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

  /** Every request received, in order. */
  public java.util.List<Received> received() {
    return java.util.List.copyOf(received);
  }

  /** Every leave request booked, cancelled or not, by id. */
  public java.util.List<Booking> bookings() {
    return java.util.List.copyOf(bookings.values());
  }

  private static final String REQUESTS = "/api/v1/leave/requests";

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      if (!delay.isZero()) Thread.sleep(delay.toMillis());
      String path = ex.getRequestURI().getPath();
      String query = ex.getRequestURI().getQuery();
      String method = ex.getRequestMethod();
      String version = this.version.get();
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      String account = ("Bearer " + TOKEN).equals(auth) ? USER : ("Bearer " + TEST_ACCOUNT_TOKEN).equals(auth) ? TEST_ACCOUNT : null;
      received.add(new Received(method, path, query, account));
      boolean authorized = account != null;
      if (method.equals("DELETE") && path.startsWith(REQUESTS + "/")) {
        cancel(ex, path.substring(REQUESTS.length() + 1), account);
        return;
      }
      switch (method + " " + path) {
        case "GET /api/health", "GET /api/v1/health" -> json(ex, 200, Map.of("status", databaseUp ? "ok" : "degraded", "version", version));
        case "GET /api/v1/status" -> json(ex, 200, Map.of("database", databaseUp ? "connected" : "unreachable", "version", version));
        case "POST /api/v1/auth/login" -> {
          String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          json(ex, body.contains("\"password\"") ? 200 : 400, Map.of("token", TOKEN));
        }
        case "GET /api/v1/leave/types" -> json(ex, 200, Map.of("types", java.util.List.of("ANNUAL", "SICK", "PARENTAL")));
        case "GET /api/v1/leave/balance" -> answer(ex, authorized, 200, Map.of("employee", String.valueOf(account), "balances",
            Map.of("ANNUAL", 20, "SICK", 10)));
        case "GET /api/v1/leave/approvals" -> answer(ex, authorized, 200, Map.of("approvals", java.util.List.of(), "pending", 0));
        case "GET /api/v1/dashboard" -> answer(ex, authorized, 200, Map.of("widgets", java.util.List.of("balance", "requests", "team")));
        case "POST " + REQUESTS -> {
          if (query != null && java.util.List.of(query.split("&")).contains("validateOnly=true")) {
            answer(ex, authorized, 200, Map.of("valid", true));
          } else if (authorized && databaseUp) {
            int id = nextId.getAndIncrement();
            bookings.put(id, new Booking(id, account, false));
            json(ex, 201, Map.of("id", id, "status", "PENDING"));
          } else {
            answer(ex, authorized, 201, Map.of());
          }
        }
        default -> json(ex, 404, Map.of("error", "not found"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** {@code body} with {@code status} when the caller is authorized and the database answers; else what LMS says instead. */
  private void answer(HttpExchange ex, boolean authorized, int status, Map<String, ?> body) throws IOException {
    if (!authorized) json(ex, 401, Map.of("error", "unauthorized"));
    else if (!databaseUp) json(ex, 503, Map.of("error", "database unavailable"));
    else json(ex, status, body);
  }

  /** Only the account that booked a leave request cancels it. */
  private void cancel(HttpExchange ex, String id, String account) throws IOException {
    Booking b;
    try {
      b = bookings.get(Integer.valueOf(id));
    } catch (NumberFormatException e) {
      b = null;
    }
    if (account == null) {
      json(ex, 401, Map.of("error", "unauthorized"));
    } else if (b == null || b.cancelled() || !b.account().equals(account)) {
      json(ex, 404, Map.of("error", "no leave request " + id + " of " + account));
    } else {
      bookings.put(b.id(), new Booking(b.id(), b.account(), true));
      ex.sendResponseHeaders(204, -1);
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
