package lms.rollback.runbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import lms.rollback.audit.Journal;
import lms.rollback.cluster.RouteTable;
import lms.rollback.testing.Cli;
import lms.rollback.testing.HttpReceiver;
import lms.rollback.testing.LmsctlProcess;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * #38 items 3 and 7: the run watches what it changed. A second writer (Argo CD's self-heal, an HPA) acting through the
 * sandbox's API server while the run is at a given point: the run does not succeed, and names the change as another
 * writer's — with the field manager and time the API server recorded — in its stop line, its messages and its report.
 */
class RunWatchesWhatItChangedTest {

  @TempDir Path out;

  private Cli.Run rollback(Sandbox sandbox, HttpReceiver warRoom, String scenario) throws Exception {
    Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
    lms.rollback.testing.Approvals.byReleaseCommander(out, "AUTO-001");
    return LmsctlProcess.run(Map.of("LMS_WAR_ROOM_WEBHOOK", warRoom.url()), "rollback", "--scenario", scenario, "--env", Sandbox.ENV,
        "--trigger", "AUTO-001", "--kubeconfig", kubeconfig.toString(), "--out-dir", out.toString(), "--cluster-only", "--lock-wait", "5s",
        "--actor", "ops.oncall");
  }

  private Journal.Entry stopped() {
    List<Journal.Entry> journal = new Journal(out, "t").read();
    assertFalse(journal.stream().anyMatch(e -> e.type().equals("scenario.end")), "the run is not called complete");
    return journal.stream().filter(e -> e.type().equals("scenario.stopped")).reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError("no scenario.stopped"));
  }

  @Test
  void greenScaledBackAfterItsLastPodIsGoneStopsTheRunAndNamesTheWriter() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out); HttpReceiver warRoom = new HttpReceiver()) {
      // Given Argo CD's self-heal that scales Green back to 3 once its last pod is gone: the run reads its lease before
      // "Confirm success", which is when the controller acts here
      AtomicBoolean healed = new AtomicBoolean();
      sandbox.cluster.server().before("GET", ".*/leases/.*", () -> {
        if (sandbox.deployment("lms-green").getSpec().getReplicas() == 0 && sandbox.pods(sandbox.env.green().podLabels()) == 0
            && healed.compareAndSet(false, true)) {
          sandbox.writeAs("argocd-application-controller", "PUT", sandbox.greenScalePath(), "application/json", "{\"spec\":{\"replicas\":3}}");
        }
      });

      Cli.Run run = rollback(sandbox, warRoom, "B");

      // Then the run does not succeed and says who scaled Green back, in its stop line, journal, report and messages
      String said = run.out() + run.err();
      assertTrue(healed.get(), "the controller acted");
      assertNotEquals(0, run.exit(), said);
      String named = "Green was scaled back to 3 by another writer, argocd-application-controller, at ";
      assertTrue(said.contains(named), said);
      Journal.Entry stopped = stopped();
      assertEquals("confirm", stopped.data().path("stoppedAt").asText(), stopped.data().toString());
      assertTrue(stopped.data().path("reason").asText().contains(named), stopped.data().toString());
      assertTrue(Files.readString(out.resolve("rollback-report.md")).contains(named), "the report names it");
      assertTrue(warRoom.bodies.stream().anyMatch(b -> b.contains("scaled back to 3 by another writer")), warRoom.bodies.toString());
      assertEquals(3, sandbox.deployment("lms-green").getSpec().getReplicas());
    }
  }

  @Test
  void routesPutBackOnGreenDuringVerificationAreNamedAsAnotherWritersChangeNotBluesHealth() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out); HttpReceiver warRoom = new HttpReceiver()) {
      // Given a GitOps controller that restores the VirtualService it holds (all traffic on Green) while the run verifies
      // Blue: it acts as the run reads Blue's logs
      String desired = "{\"spec\":" + sandbox.virtualServiceJson().path("spec") + "}";
      AtomicBoolean reverted = new AtomicBoolean();
      sandbox.cluster.server().before("GET", ".*/pods/lms-blue[^/]*/log", () -> {
        if (RouteTable.of(sandbox.virtualService(), sandbox.env).onBlue(sandbox.env) && reverted.compareAndSet(false, true)) {
          sandbox.writeAs("argocd-application-controller", "PATCH", "/apis/networking.istio.io/v1/namespaces/" + sandbox.env.namespace()
              + "/virtualservices/" + sandbox.env.virtualService(), "application/merge-patch+json", desired);
        }
      });

      Cli.Run run = rollback(sandbox, warRoom, "B");

      // Then: stopped at verify-blue, Green untouched, and every account says the routes were changed back by another writer
      String said = run.out() + run.err();
      assertTrue(reverted.get(), "the controller acted");
      assertEquals(4, run.exit(), said);
      String named = "the VirtualService production/lms-vs was put back on Green by another writer, argocd-application-controller, at ";
      assertTrue(said.contains("the routes were changed by another writer after the switch"), said);
      assertTrue(said.contains(named), said);
      assertFalse(said.contains("Blue is unhealthy"), said);
      Journal.Entry stopped = stopped();
      assertEquals("verify-blue", stopped.data().path("stoppedAt").asText(), stopped.data().toString());
      assertTrue(stopped.data().path("reason").asText().contains(named), stopped.data().toString());
      String report = Files.readString(out.resolve("rollback-report.md"));
      assertTrue(report.contains(named), "the report names it");
      assertTrue(warRoom.bodies.stream().anyMatch(b -> b.contains("put back on Green by another writer")), warRoom.bodies.toString());
      assertFalse(warRoom.bodies.stream().anyMatch(b -> b.contains("Blue is unhealthy")), warRoom.bodies.toString());
      assertEquals(3, sandbox.deployment("lms-green").getSpec().getReplicas(), "Green is never scaled down when the routes are not on Blue");
    }
  }
}
