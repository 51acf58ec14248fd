package lms.rollback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import lms.rollback.testing.Cli;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runbook's own commands (§4.2 steps 1–3), verbatim, run by the real kubectl against the
 * sandbox. kubectl comes from $KUBECTL, .ci/tools (test/provide-tools unpacks one there) or the PATH ({@link lms.rollback.testing.Tool}).
 */
class KubectlRunbookTest {

  @TempDir Path out;
  Sandbox sandbox;
  String kubectl;
  Path kubeconfig;

  @BeforeEach
  void start() throws Exception {
    kubectl = findKubectl();
    sandbox = Sandbox.start(out, Duration.ofMillis(200), Map.of());
    kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
  }

  @AfterEach
  void stop() {
    if (sandbox != null) sandbox.close();
  }

  static String findKubectl() {
    return lms.rollback.testing.Tool.KUBECTL.require();
  }

  /** Runs a runbook line with bash, kubectl resolved to the one found, against the sandbox. */
  String runbook(String line) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", "-o", "pipefail", "-c", line).redirectErrorStream(true);
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    pb.environment().put("PATH", Path.of(kubectl).getParent() + File.pathSeparator + System.getenv("PATH"));
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), line);
    assertEquals(0, p.exitValue(), line + "\n" + output);
    return output;
  }

  @Test
  void runbookStepsOneToThreeWorkVerbatim() throws Exception {
    // §4.2 step 1
    String patched = runbook("""
        kubectl patch virtualservice lms-vs -n production --type merge -p '
        {
          "spec": {
            "http": [{
              "route": [
                {"destination": {"host": "lms-blue"}, "weight": 100}
              ]
            }]
          }
        }'""");
    assertTrue(patched.contains("virtualservice.networking.istio.io/lms-vs patched"), patched);
    String verify = runbook("kubectl get virtualservice lms-vs -n production -o yaml | grep -A5 \"route:\"");
    assertTrue(verify.contains("host: lms-blue") && verify.contains("weight: 100"), verify);
    // what lmsctl avoids: the merge patch replaced http[] and with it match, timeout and retries
    JsonNode http = sandbox.virtualServiceJson().path("spec").path("http");
    assertEquals(1, http.size());
    assertTrue(http.get(0).path("match").isMissingNode() && http.get(0).path("retries").isMissingNode());

    // §4.2 step 3
    String scaled = runbook("kubectl scale deployment lms-green --replicas=0 -n production");
    assertTrue(scaled.contains("deployment.apps/lms-green scaled"), scaled);
    String pods = "";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      pods = runbook("kubectl get pods -l app=lms-green -n production");
      if (pods.contains("No resources found")) break;
      Thread.sleep(200);
    }
    assertTrue(pods.contains("No resources found in production namespace."), pods);
    assertEquals(0, sandbox.deployment("lms-green").getSpec().getReplicas());
  }

  @Test
  void kubectlSeesServerSideColumnsAndWatchesOverHttp() throws Exception {
    String pods = runbook("kubectl get pods -l app=lms-blue -n production");
    assertTrue(pods.lines().findFirst().orElse("").matches("NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE"), pods);
    assertTrue(pods.contains("1/1") && pods.contains("Running"), pods);

    // a bounded watch sees the scale-down happen
    ProcessBuilder pb = new ProcessBuilder(kubectl, "get", "pods", "-l", "app=lms-green", "-n", "production", "-w",
        "--request-timeout=8s").redirectErrorStream(true);
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    Process watch = pb.start();
    var streamedOut = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return new String(watch.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      } catch (java.io.IOException e) {
        return "read failed: " + e;
      }
    });
    Thread.sleep(1500);
    runbook("kubectl scale deployment lms-green --replicas=0 -n production");
    Thread.sleep(2500);
    watch.destroy();
    watch.waitFor(5, TimeUnit.SECONDS);
    String streamed = streamedOut.get(5, TimeUnit.SECONDS);
    assertTrue(streamed.contains("Terminating") || streamed.lines().count() > 4, streamed);
  }

  @Test
  void lmsctlStatusWorksWithTheSameKubeconfig() throws Exception {
    List<String> args = List.of("status", "--kubeconfig", kubeconfig.toString(), "--out-dir", out.toString());
    Cli.Run r = Cli.lmsctl(args.toArray(String[]::new));
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("lms-green 100%"), r.out());
  }
}
