package lms.rollback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import lms.rollback.testing.Cli;
import lms.rollback.testing.HttpReceiver;
import lms.rollback.testing.LmsctlProcess;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** §2.1 "Alert + Auto-rollback": the alert goes out whatever becomes of the rollback. */
class WatchAlertsTest {

  @TempDir Path out;

  @Test
  void anAutomaticTriggerWhoseRollbackIsRefusedStillAlertsThenSaysWhyAndWhoMustAct() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out); HttpReceiver warRoom = new HttpReceiver(); HttpReceiver statusPage = new HttpReceiver()) {
      // Given Green erring for minutes (the stand-in's history) and no smoke credentials: AUTO-001 holds, the preflight refuses
      sandbox.cluster.startLms(sandbox.env);
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));

      Cli.Run run = LmsctlProcess.run(Map.of("LMS_WAR_ROOM_WEBHOOK", warRoom.url(), "LMS_STATUS_PAGE_WEBHOOK", statusPage.url()), "watch", "--env",
          Sandbox.ENV, "--kubeconfig", kubeconfig.toString(), "--out-dir", out.resolve("watched").toString(), "--prometheus",
          sandbox.cluster.metrics().url(), "--for", "10s", "--interval", "1s", "--lock-wait", "5s");

      // Then the run is refused (exit 2, nothing changed) ...
      assertEquals(2, run.exit(), run.out() + run.err());
      assertEquals(3, sandbox.deployment("lms-green").getSpec().getReplicas());
      // ... and the war room got the alert, then why nothing was rolled back and who must act; the status page was told
      assertEquals(2, warRoom.bodies.size(), warRoom.bodies.toString());
      assertTrue(warRoom.bodies.get(0).contains("ALERT: AUTO-001"), warRoom.bodies.get(0));
      String why = warRoom.bodies.get(1);
      assertTrue(why.contains("AUTOMATIC ROLLBACK DID NOT COMPLETE") && why.contains("did not start") && why.contains("LMS_SMOKE_USER")
          && why.contains("Nothing was changed"), why);
      assertTrue(why.contains("Who must act now: DevOps On-Call (lms-devops-oncall@company.com)"), why);
      assertEquals(1, statusPage.bodies.size(), statusPage.bodies.toString());
      assertTrue(statusPage.bodies.get(0).contains("investigating degraded service"), statusPage.bodies.get(0));
      // the on-call's page is by email: without SMTP it is journaled as skipped, and said
      assertTrue(run.err().contains("message on-call-alert on email: skipped"), run.err());
      assertTrue(run.err().contains("message on-call-auto-stopped on email: skipped"), run.err());
    }
  }
}
