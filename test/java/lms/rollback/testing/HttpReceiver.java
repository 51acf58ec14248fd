package lms.rollback.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A webhook receiver on 127.0.0.1 that keeps what it is sent; it can fail its first requests. */
public final class HttpReceiver implements AutoCloseable {

  public final List<String> bodies = new CopyOnWriteArrayList<>();
  /** When each of {@link #bodies} arrived. */
  public final List<java.time.Instant> receivedAt = new CopyOnWriteArrayList<>();
  private final AtomicInteger failFirst = new AtomicInteger();
  private final HttpServer server;

  public HttpReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/", ex -> {
      try (ex) {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (failFirst.getAndDecrement() > 0) {
          ex.sendResponseHeaders(500, -1);
          return;
        }
        receivedAt.add(java.time.Instant.now());
        bodies.add(body);
        ex.sendResponseHeaders(200, 2);
        ex.getResponseBody().write("ok".getBytes(StandardCharsets.UTF_8));
      }
    });
    server.start();
  }

  public HttpReceiver failFirst(int n) {
    failFirst.set(n);
    return this;
  }

  /** The URL, with a secret-looking path as Slack's have. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/services/T000/B000/s3cr3tT0k3n";
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
