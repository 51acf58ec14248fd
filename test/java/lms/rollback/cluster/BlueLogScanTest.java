package lms.rollback.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import lms.rollback.testing.Sandbox;
import lms.rollback.verify.CheckResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log scan reads Blue's containers one after another on the client's pooled connections. */
class BlueLogScanTest {

  @TempDir Path out;

  @Test
  void logsReadOneAfterAnotherNeedNoRetryBecauseAReadLogLeavesItsConnectionReusable() {
    try (Sandbox sandbox = Sandbox.start(out)) {
      sandbox.cluster.server().setLogSource((ns, pod, container, stream) ->
          stream.write("2026-12-01T02:15:01Z INFO  GET /api/health 200 3ms\n".getBytes(StandardCharsets.UTF_8)));
      // one attempt: a pooled connection closed under the next request would make the scan inconclusive; fabric8's
      // close() of a log read to its end did that (it cancels the body, and Vert.x closes the pooled connection)
      BlueLogScan scan = new BlueLogScan(sandbox.engine(1), "\\bERROR\\b");

      for (int round = 1; round <= 5; round++) {
        CheckResult r = scan.scan(sandbox.env, Duration.ofSeconds(10));
        assertEquals(CheckResult.Status.pass, r.status(), "round " + round + ": " + r);
      }
    }
  }
}
