package lms.rollback.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus (Debian's package) on 127.0.0.1, scraping one target every second (or as often as
 * a test says: production's 5-15 s), with its storage in a temp dir; stopped by its pid. Without one,
 * a test is skipped with the reason ({@link Tool}).
 */
public final class PrometheusServer implements AutoCloseable {

  public static final Duration FAST_SCRAPE = Duration.ofSeconds(1);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
  private final Process process;
  private final int port;

  private PrometheusServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  public static PrometheusServer scraping(String target, Path dir) throws Exception {
    return scraping(target, dir, FAST_SCRAPE);
  }

  /** Scraping {@code target} every {@code interval}; a restart on the same {@code dir} keeps its data. */
  public static PrometheusServer scraping(String target, Path dir, Duration interval) throws Exception {
    return scraping(target, dir, interval, Ports.free());
  }

  public static PrometheusServer scraping(String target, Path dir, Duration interval, int port) throws Exception {
    String binary = binary();
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(dir.resolve("rules.yml"), """
        groups:
          - name: lms
            rules:
              - alert: LmsSecurityBreach
                expr: lms_security_critical > 0
                labels: {severity: critical, category: security}
        """);
    Files.writeString(config, """
        global:
          scrape_interval: %ds
          evaluation_interval: 1s
        rule_files: ['rules.yml']
        scrape_configs:
          - job_name: lms
            static_configs:
              - targets: ['%s']
        """.formatted(interval.toSeconds(), target));
    Process p = new ProcessBuilder(binary, "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port, "--log.level=warn").redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile())
        .start();
    PrometheusServer server = new PrometheusServer(p, port);
    server.awaitReady(dir);
    return server;
  }

  static String binary() {
    return Tool.PROMETHEUS.require();
  }

  private void awaitReady(Path dir) throws Exception {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) throw new IllegalStateException("prometheus exited: " + Files.readString(dir.resolve("prometheus.log")));
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create(url() + "-/ready").toURL().openConnection();
        c.setConnectTimeout(500);
        if (c.getResponseCode() == 200) return;
      } catch (IOException notYet) {
        // starting
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("prometheus not ready after " + READY_TIMEOUT.toSeconds() + "s");
  }

  public int port() {
    return port;
  }

  public String url() {
    return "http://127.0.0.1:" + port + "/";
  }


  /** Prometheus dies at once (SIGKILL), as a crashed server does: no graceful shutdown that still answers queries. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
  }
}
