// How long Blue's verification takes after a real switch, against the plan's observation window, with a real
// Prometheus (Debian's package) scraping every 5 s and every 15 s and Green serving 40 rps, erring, for more
// than the rate window before the switch. Goal: verify time after the switch / window <= 1.1.
//
//   java -cp target/lmsctl.jar bench/VerifyAfterSwitchBench.java [scrape-seconds ...]
//
// Baseline: a verifier that judges rate[1m] windows reaching back before the switch can only pass on a window
// that starts once Green's rate[1m] reads 0: it is read back from Prometheus, and its ratio printed beside ours.

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import lms.rollback.audit.Journal;
import lms.rollback.cluster.ApiRetry;
import lms.rollback.cluster.ClusterSession;
import lms.rollback.cluster.DeploymentVersion;
import lms.rollback.cluster.TrafficSwitch;
import lms.rollback.core.Progress;
import lms.rollback.plan.Environment;
import lms.rollback.plan.Plan;
import lms.rollback.plan.PlanLoader;
import lms.rollback.sandbox.SandboxCluster;
import lms.rollback.verify.BlueVerifier;
import lms.rollback.verify.CheckResult;
import lms.rollback.verify.PrometheusClient;

public class VerifyAfterSwitchBench {

  static final double RPS = 40;
  static final long LAG_MILLIS = 2000;
  // [service][ok, 5xx, le=0.1, le=1, +Inf]
  static final double[][] counters = new double[2][5];
  static final Deque<long[]> shares = new ArrayDeque<>();

  public static void main(String[] args) throws Exception {
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    for (var h : java.util.logging.Logger.getLogger("").getHandlers()) h.setLevel(java.util.logging.Level.WARNING);
    List<String> intervals = args.length == 0 ? List.of("5", "15") : List.of(args);
    System.out.printf("%-8s %-10s %-14s %-8s %-22s %-8s %s%n", "scrape", "window", "verify after", "ratio", "baseline (rate[1m]=0)", "ratio", "ours/baseline");
    for (String s : intervals) round(Integer.parseInt(s));
  }

  static void round(int scrape) throws Exception {
    Plan plan;
    try (var in = PlanLoader.class.getClassLoader().getResourceAsStream(PlanLoader.DEFAULT_RESOURCE)) {
      String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("scrapeInterval: 15s", "scrapeInterval: " + scrape + "s");
      plan = new PlanLoader().parse(yaml.getBytes(StandardCharsets.UTF_8), "bench plan");
    }
    Environment env = plan.environment("production");
    Duration window = plan.verification().observationWindow().limit();
    Path dir = Files.createTempDirectory("lms-verify-bench");
    for (double[] c : counters) java.util.Arrays.fill(c, 0);
    try (SandboxCluster sandbox = SandboxCluster.start(0, Duration.ZERO).seed(env)) {
      synchronized (shares) {
        shares.clear();
      }
      HttpServer exporter = startExporter(() -> sandbox.blueShare(env));
      int port = freePort();
      Files.writeString(dir.resolve("prometheus.yml"), "global: {scrape_interval: " + scrape + "s, evaluation_interval: 15s}\n"
          + "scrape_configs: [{job_name: lms, static_configs: [{targets: ['127.0.0.1:" + exporter.getAddress().getPort() + "']}]}]\n");
      Process prometheus = new ProcessBuilder(System.getenv().getOrDefault("PROMETHEUS", "/usr/bin/prometheus"), "--config.file=" + dir.resolve("prometheus.yml"),
          "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port, "--log.level=error")
          .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
      try (var k8s = sandbox.server().client()) {
        var lms = sandbox.startLms(env);
        PrometheusClient client = new PrometheusClient("http://127.0.0.1:" + port + "/", Duration.ofSeconds(5));
        Thread.sleep(75_000); // Green's traffic for longer than the rate window
        ClusterSession cluster = new ClusterSession(k8s, ApiRetry.defaults(Progress.SILENT), new Journal(dir.resolve("run"), "bench"), Progress.SILENT);
        String expected = DeploymentVersion.of(cluster.deployment(env.namespace(), env.blue().deployment()));
        new TrafficSwitch(cluster).execute(new TrafficSwitch.Request("production", env, null));
        Instant switched = Instant.now();
        List<CheckResult> checks = new BlueVerifier(plan.verification(), plan.time(), cluster.journal(), Progress.SILENT)
            .verify(new BlueVerifier.Request(env, java.net.URI.create(lms.url()), client, expected, window, switched));
        Duration ours = Duration.between(switched, Instant.now());
        boolean passed = checks.stream().allMatch(CheckResult::passed);
        // when would a rate[1m] of Green first read 0?
        var samples = client.range("sum(rate(http_requests_total{service=\"lms-green\"}[1m]))", switched, Instant.now(), Duration.ofSeconds(1));
        Instant zero = samples.stream().filter(x -> x.value() == 0).map(PrometheusClient.Sample::at).findFirst().orElse(Instant.now());
        Duration baseline = Duration.between(switched, zero).plus(window);
        System.out.printf("%-8s %-10s %-14s %-8.3f %-22s %-8.3f %.3f%s%n", scrape + "s", window.toSeconds() + "s", String.format("%.1fs", ours.toMillis() / 1000.0),
            ours.toMillis() / (double) window.toMillis(), String.format("%.1fs", baseline.toMillis() / 1000.0), baseline.toMillis() / (double) window.toMillis(),
            ours.toMillis() / (double) baseline.toMillis(), passed ? "" : "   VERIFICATION FAILED: " + checks.stream().filter(c -> !c.passed()).map(CheckResult::line).toList());
      } finally {
        prometheus.destroy();
        prometheus.waitFor(10, TimeUnit.SECONDS);
        exporter.stop(0);
      }
    }
  }

  static HttpServer startExporter(java.util.function.IntSupplier blueShare) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    server.createContext("/metrics", ex -> {
      StringBuilder body = new StringBuilder();
      synchronized (counters) {
        String[] names = {"lms-blue", "lms-green"};
        for (int i = 0; i < 2; i++) {
          double[] c = counters[i];
          body.append(String.format("http_requests_total{service=\"%s\",code=\"200\"} %.3f%n", names[i], c[0]));
          body.append(String.format("http_requests_total{service=\"%s\",code=\"500\"} %.3f%n", names[i], c[1]));
          body.append(String.format("http_request_duration_seconds_bucket{service=\"%s\",le=\"0.1\"} %.3f%n", names[i], c[2]));
          body.append(String.format("http_request_duration_seconds_bucket{service=\"%s\",le=\"1\"} %.3f%n", names[i], c[3]));
          body.append(String.format("http_request_duration_seconds_bucket{service=\"%s\",le=\"+Inf\"} %.3f%n", names[i], c[4]));
        }
      }
      byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, bytes.length);
      ex.getResponseBody().write(bytes);
      ex.close();
    });
    server.start();
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r);
      t.setDaemon(true);
      return t;
    });
    ticker.scheduleAtFixedRate(() -> {
      long now = System.currentTimeMillis();
      int share;
      try {
        share = blueShare.getAsInt();
      } catch (RuntimeException gone) {
        return;
      }
      synchronized (shares) {
        shares.add(new long[] {now, share});
        while (shares.size() > 1 && shares.peekFirst()[0] < now - LAG_MILLIS) shares.pollFirst();
        share = (int) shares.peekFirst()[1];
      }
      synchronized (counters) {
        double blue = RPS * share / 100.0 * 0.1;
        double green = RPS * (100 - share) / 100.0 * 0.1;
        counters[0][0] += blue * 0.998;
        counters[0][1] += blue * 0.002;
        counters[0][2] += blue;
        counters[0][3] += blue;
        counters[0][4] += blue;
        counters[1][0] += green * 0.88;
        counters[1][1] += green * 0.12;
        counters[1][3] += green;
        counters[1][4] += green;
      }
    }, 100, 100, TimeUnit.MILLISECONDS);
    return server;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
