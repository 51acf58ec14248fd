package lms.rollback.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import lms.rollback.sandbox.SandboxPlan;
import lms.rollback.testing.Cli;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * #38 item 14: a Prometheus (or a proxy in front of it) that answers an instant query with a matrix crashed verify-blue
 * with a NullPointerException (exit 1). An answer of a shape the check did not ask for is no reading: the check is
 * inconclusive, as with Prometheus down, and verify-blue exits 4.
 */
class MalformedPrometheusAnswerTest {

  @TempDir Path out;

  /** Answers every query, instant or not, with {@code data}. */
  static HttpServer answering(String data) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
    server.createContext("/api/v1/", ex -> {
      try (ex) {
        byte[] body = ("{\"status\":\"success\",\"data\":" + data + "}").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
      }
    });
    server.start();
    return server;
  }

  static String matrix() {
    double now = System.currentTimeMillis() / 1000.0;
    return "{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},\"values\":[[" + (now - 1) + ",\"0.1\"],[" + now + ",\"0.1\"]]}]}";
  }

  @Test
  void anInstantQueryAnsweredWithAMatrixIsInconclusiveAndVerifyBlueExits4() throws Exception {
    HttpServer prometheus = answering(matrix());
    try (Sandbox sandbox = Sandbox.start(out)) {
      var blue = sandbox.cluster.startLms(sandbox.env);
      String prometheusUrl = "http://127.0.0.1:" + prometheus.getAddress().getPort() + "/";
      // the plan as the sandbox measures it: a scrape a second, so a 6s window holds post-switch samples
      Path plan = SandboxPlan.write(out.resolve("plan.yaml"), Sandbox.ENV, blue.url(), prometheusUrl);
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      assertEquals(0, Cli.lmsctl("switch", "--env", Sandbox.ENV, "--kubeconfig", kubeconfig.toString(), "--plan", plan.toString(), "--out-dir",
          out.toString(), "--lock-wait", "5s").exit());

      Cli.Run run = Cli.lmsctl("verify-blue", "--env", Sandbox.ENV, "--kubeconfig", kubeconfig.toString(), "--plan", plan.toString(), "--out-dir",
          out.toString(), "--window", "6s", "--lock-wait", "5s", "--switched-at", Instant.now().toString());

      String said = run.out() + run.err();
      assertEquals(4, run.exit(), said);
      assertTrue(said.contains("[INC ] Blue error rate (%)") && said.contains("answered with a matrix where an instant vector was expected"), said);
      assertTrue(!said.contains("NullPointerException"), said);
    } finally {
      prometheus.stop(0);
    }
  }

  @Test
  void aSampleWithoutItsValueIsUnansweredNotACrash() throws Exception {
    HttpServer prometheus = answering("{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1]}]}");
    try {
      PrometheusClient client = new PrometheusClient("http://127.0.0.1:" + prometheus.getAddress().getPort() + "/", Duration.ofSeconds(2));
      PrometheusClient.Unanswered e = org.junit.jupiter.api.Assertions.assertThrows(PrometheusClient.Unanswered.class,
          () -> client.read("sum(rate(http_requests_total[1m]))", Instant.now()));
      assertTrue(e.getMessage().contains("not a [time, value] pair"), e.getMessage());
    } finally {
      prometheus.stop(0);
    }
  }
}
