// Time from the moment a sustained AUTO-001 condition becomes true to the VirtualService being
// patched, with a real Prometheus (Debian's package) scraping an exporter whose error rate this
// program controls, several rounds. Prints the median and its ratio to the evaluation interval.
//
//   java -cp target/lmsctl.jar bench/TriggerLatencyBench.java [rounds] [interval-seconds]
//
// "Became true" is read back from Prometheus afterwards: the first instant at which every sample
// of AUTO-001's window was above the threshold. The plan's windows are shrunk (5 min -> 6 s,
// rate 1m -> 4s) so a round takes seconds; the interval is what is being measured against.

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import lms.rollback.audit.Journal;
import lms.rollback.cluster.ApiRetry;
import lms.rollback.cluster.ClusterSession;
import lms.rollback.cluster.TrafficSwitch;
import lms.rollback.core.Progress;
import lms.rollback.plan.Environment;
import lms.rollback.plan.Plan;
import lms.rollback.plan.PlanLoader;
import lms.rollback.sandbox.SandboxCluster;
import lms.rollback.trigger.TriggerEvaluator;
import lms.rollback.trigger.TriggerWatch;
import lms.rollback.verify.PrometheusClient;

public class TriggerLatencyBench {

  static final Duration ALIGNMENT_SLACK = Duration.ofSeconds(2);
  static volatile double errorPercent = 0.2;
  static final double[] counters = new double[2];

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    Duration interval = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 5);
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    for (var h : java.util.logging.Logger.getLogger("").getHandlers()) h.setLevel(java.util.logging.Level.WARNING);
    Plan plan = fastPlan();
    Environment env = plan.environment("production");
    Path dir = Files.createTempDirectory("lms-trigger-bench");
    String exporter = startExporter();
    int port = freePort();
    Files.writeString(dir.resolve("prometheus.yml"), "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        + "scrape_configs: [{job_name: lms, static_configs: [{targets: ['" + exporter + "']}]}]\n");
    Process prometheus = new ProcessBuilder(System.getenv().getOrDefault("PROMETHEUS", "/usr/bin/prometheus"), "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port, "--log.level=error")
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    List<Double> latencies = new ArrayList<>();
    try (SandboxCluster sandbox = SandboxCluster.start(0, Duration.ZERO).seed(env)) {
      PrometheusClient client = new PrometheusClient("http://127.0.0.1:" + port + "/", Duration.ofSeconds(2));
      String query = plan.verification().query("errorRatePercent", env.green().host());
      Duration sustain = plan.trigger("AUTO-001").measure().sustainedFor().limit();
      Thread.sleep(8000); // Prometheus up, a few healthy samples in
      for (int round = 0; round < rounds; round++) {
        sandbox.seed(env);
        errorPercent = 0.2;
        Thread.sleep(plan.verification().rateWindow().limit().toMillis() + 3000);
        Instant spike = Instant.now();
        errorPercent = 30;
        Instant[] patched = new Instant[1];
        try (var k8s = sandbox.server().client()) {
          ClusterSession cluster = new ClusterSession(k8s, ApiRetry.defaults(Progress.SILENT), new Journal(dir.resolve("round-" + round), "bench"), Progress.SILENT);
          TriggerWatch watch = new TriggerWatch(plan, new TriggerEvaluator(plan.verification(), client), cluster.journal(), Progress.SILENT, Clock.systemUTC());
          // the watch was already running, at a random phase of its interval, when the spike began
          Thread.sleep((long) (Math.random() * interval.toMillis()));
          watch.watch("production", env, interval, Duration.ofMinutes(2), false, e -> {
            new TrafficSwitch(cluster).execute(new TrafficSwitch.Request("production", env, null));
            patched[0] = Instant.now();
            return "switched";
          });
        }
        errorPercent = 0.2;
        // the watch's samples are aligned to its own instant, these to the spike's: near the edge they can
        // disagree by a sample, so look a little past the patch; truth at or after it counts as latency 0
        Thread.sleep(ALIGNMENT_SLACK.toMillis());
        Instant becameTrue = firstSustained(client, query, spike.minusSeconds(2), patched[0].plus(ALIGNMENT_SLACK), sustain);
        if (becameTrue == null) {
          System.out.printf("round %d: patched at +%.1fs, but no fully sustained window at 1 s alignment: round not counted%n", round + 1,
              Duration.between(spike, patched[0]).toMillis() / 1000.0);
          continue;
        }
        double latency = Math.max(0, Duration.between(becameTrue, patched[0]).toMillis() / 1000.0);
        latencies.add(latency);
        System.out.printf("round %d: condition true at +%.1fs, VirtualService patched at +%.1fs: %.1fs%n", round + 1,
            Duration.between(spike, becameTrue).toMillis() / 1000.0, Duration.between(spike, patched[0]).toMillis() / 1000.0, latency);
      }
    } finally {
      prometheus.destroy();
      prometheus.waitFor(10, TimeUnit.SECONDS);
    }
    if (latencies.isEmpty()) throw new IllegalStateException("no round could be measured");
    Collections.sort(latencies);
    double median = latencies.size() % 2 == 1 ? latencies.get(latencies.size() / 2)
        : (latencies.get(latencies.size() / 2 - 1) + latencies.get(latencies.size() / 2)) / 2;
    System.out.printf("rounds: %d measured of %d, evaluation interval %ds%n", latencies.size(), rounds, interval.toSeconds());
    System.out.printf("median time from sustained AUTO-001 to VirtualService patched: %.1fs%n", median);
    System.out.printf("ratio to the evaluation interval = %.2f (goal <= 1.00; Flagger's default interval is 60s)%n", median / interval.toSeconds());
    System.exit(0); // the exporter's server thread would keep the JVM alive
  }

  /** The first instant at which every 1 s sample of the preceding window was above 5 %, or null. */
  static Instant firstSustained(PrometheusClient client, String query, Instant from, Instant to, Duration sustain) throws Exception {
    var samples = client.range(query, from, to, Duration.ofSeconds(1));
    for (int i = 0; i < samples.size(); i++) {
      Instant t = samples.get(i).at();
      boolean all = true;
      int covered = 0;
      for (var s : samples) {
        if (!s.at().isAfter(t) && !s.at().isBefore(t.minus(sustain))) {
          covered++;
          if (!(s.value() > 5)) all = false;
        }
      }
      if (all && covered >= sustain.toSeconds() + 1) return t;
    }
    return null;
  }

  static Plan fastPlan() throws IOException {
    try (var in = PlanLoader.class.getClassLoader().getResourceAsStream(PlanLoader.DEFAULT_RESOURCE)) {
      String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("rateWindow: 1m", "rateWindow: 4s")
          .replace("evaluationStep: 10s", "evaluationStep: 1s")
          .replace("measure: { query: errorRatePercent, above: 5, for: 5m }", "measure: { query: errorRatePercent, above: 5, for: 6s }");
      return new PlanLoader().parse(yaml.getBytes(StandardCharsets.UTF_8), "bench plan");
    }
  }

  static String startExporter() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    server.createContext("/metrics", ex -> {
      String body;
      synchronized (counters) {
        body = String.format("http_requests_total{service=\"lms-green\",code=\"200\"} %.3f%nhttp_requests_total{service=\"lms-green\",code=\"500\"} %.3f%n",
            counters[0], counters[1]);
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
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
      synchronized (counters) {
        counters[0] += 4 * (1 - errorPercent / 100);
        counters[1] += 4 * errorPercent / 100;
      }
    }, 100, 100, TimeUnit.MILLISECONDS);
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
