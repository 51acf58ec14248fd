package lms.rollback.runbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Journal;
import lms.rollback.testing.Cli;
import lms.rollback.testing.HttpReceiver;
import lms.rollback.testing.LmsctlProcess;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * #38 item 6: an error of the Kubernetes API that is not retried (403 on the scale) ends the run the same way as any other
 * failure — journaled where it stopped, the report written, the war room told — instead of escaping with one line.
 */
class ApiRefusalStopsTheRunTest {

  @TempDir Path out;

  @Test
  void aForbiddenScaleStopsTheRunAtGreensShutdownWithItsReportAndTheWarRoomTold() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out); HttpReceiver warRoom = new HttpReceiver()) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      lms.rollback.testing.Approvals.byReleaseCommander(out, "AUTO-001");
      // Given the API server refuses to scale Green (the kubeconfig's account lacks deployments/scale)
      sandbox.cluster.server().inject("PATCH", ".*/deployments/lms-green.*", 403, 100);
      sandbox.cluster.server().inject("PUT", ".*/deployments/lms-green.*", 403, 100);

      // When the rollback runs
      Cli.Run run = LmsctlProcess.run(Map.of("LMS_WAR_ROOM_WEBHOOK", warRoom.url()), "rollback", "--scenario", "B", "--env", Sandbox.ENV,
          "--trigger", "AUTO-001", "--kubeconfig", kubeconfig.toString(), "--out-dir", out.toString(), "--cluster-only", "--lock-wait", "5s",
          "--actor", "ops.oncall");

      // Then it stopped at stop-green through the stop path: exit 3, journaled, reported, the war room's last word the end message
      assertEquals(3, run.exit(), run.out() + run.err());
      assertTrue((run.out() + run.err()).contains("HTTP 403"), run.out() + run.err());
      List<Journal.Entry> journal = new Journal(out, "t").read();
      var stopped = journal.stream().filter(e -> e.type().equals("scenario.stopped")).findFirst().orElseThrow(() -> new AssertionError("no scenario.stopped"));
      assertEquals("stop-green", stopped.data().path("stoppedAt").asText(), stopped.data().toString());
      assertTrue(Files.exists(out.resolve("rollback-report.md")), "the report was written");
      String last = warRoom.bodies.get(warRoom.bodies.size() - 1);
      assertTrue(last.contains("ROLLBACK") && !last.contains("ROLLBACK VERIFICATION"), last);
      assertFalse(journal.stream().anyMatch(e -> e.type().equals("scenario.end")));
    }
  }
}
