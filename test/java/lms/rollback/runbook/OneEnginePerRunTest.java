package lms.rollback.runbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Journal;
import lms.rollback.cluster.RouteTable;
import lms.rollback.testing.Cli;
import lms.rollback.testing.HttpReceiver;
import lms.rollback.testing.LmsctlProcess;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * #38 item 2: build 7 is in verify-blue when build 8 continues the same run from the parent folder. Build 8 must be
 * refused while build 7 is alive, whatever holder it names; once build 7 is gone, the next build takes the run over at
 * once, as a crashed build's run always was.
 */
class OneEnginePerRunTest {

  @TempDir Path out;

  private Path builds() {
    return out.resolve("lms-rollback");
  }

  private List<String> build(Path kubeconfig, int number) {
    return new ArrayList<>(List.of("rollback", "--scenario", "B", "--env", Sandbox.ENV, "--trigger", "AUTO-001", "--kubeconfig", kubeconfig.toString(),
        "--out-dir", builds().resolve("build-" + number).toString(), "--continue-from", builds().toString(), "--cluster-only",
        "--lock-wait", "5s", "--actor", "ops.oncall", "--lease-holder", "jenkins-Rollback-" + number));
  }

  @Test
  void aSecondBuildContinuingALiveRunIsRefusedNamingItsEngineAndTakesItOverOnceThatEngineIsGone() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out); HttpReceiver warRoom = new HttpReceiver()) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      Map<String, String> env = Map.of("LMS_WAR_ROOM_WEBHOOK", warRoom.url());
      lms.rollback.testing.Approvals.byReleaseCommander(builds().resolve("build-7"), "AUTO-001");
      // Given build 7 alive in verify-blue (traffic switched, Green still up)
      Map<String, String> holding = new java.util.HashMap<>(env);
      holding.put(LmsctlProcess.HOLD_AFTER, "step.start:verify-blue");
      LmsctlProcess build7 = LmsctlProcess.start(holding, build(kubeconfig, 7));
      build7.awaitHeld();
      try {
        String runId = Journal.reading(builds().resolve("build-7").resolve(Journal.FILE_NAME)).read().stream()
            .filter(e -> e.type().equals("scenario.start")).findFirst().orElseThrow().data().path("runId").asText();

        // When build 8 continues the same run from the parent folder
        Cli.Run build8 = LmsctlProcess.run(env, build(kubeconfig, 8).toArray(String[]::new));

        // Then it is refused at once: "environment is locked" (exit 3), one line naming the run and its engine
        assertEquals(3, build8.exit(), build8.out() + build8.err());
        String said = build8.err().strip();
        assertEquals(1, said.lines().filter(l -> l.contains("environment is locked")).count(), said);
        assertTrue(said.contains("run " + runId) && said.contains("pid " + build7.process().pid()), said);
        assertTrue(said.contains(" on " + java.net.InetAddress.getLocalHost().getHostName()), said);
        List<Journal.Entry> journal8 = Journal.reading(builds().resolve("build-8").resolve(Journal.FILE_NAME)).read();
        // what build 8 wrote after build 7's carried-over entries: no lease taken, nothing resumed
        List<String> own = journal8.stream().dropWhile(e -> !e.type().equals("run.continued")).map(Journal.Entry::type).toList();
        assertFalse(own.isEmpty(), "build 8 carried build 7's run over before asking for its lease");
        assertFalse(own.contains("lease.acquired") || own.contains("scenario.resume") || own.contains("step.start"), "build 8 ran nothing: " + own);
        assertEquals(3, sandbox.deployment("lms-green").getSpec().getReplicas(), "Green is not scaled by a second engine");
        assertEquals(0, warRoom.bodies.stream().filter(b -> b.contains("ROLLBACK VERIFICATION")).count(), warRoom.bodies.toString());
      } finally {
        // And when build 7's agent dies (SIGKILL: nothing released, its lease not yet expired)
        build7.process().destroyForcibly();
        build7.process().waitFor();
      }
      // its lease still far from expiring (as when the next build starts seconds after the kill, on a slower machine too)
      sandbox.store().resources(io.fabric8.kubernetes.api.model.coordination.v1.Lease.class).inNamespace(sandbox.env.namespace())
          .withName(lms.rollback.cluster.EnvironmentLease.NAME_PREFIX + Sandbox.ENV).edit(l -> {
            l.getSpec().setLeaseDurationSeconds(600);
            l.getSpec().setRenewTime(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC));
            return l;
          });

      // the next build continues the run at once (its --lock-wait is 5 s: it did not wait for the lease to expire) and finishes it,
      // each message once
      Cli.Run build9 = LmsctlProcess.run(env, build(kubeconfig, 9).toArray(String[]::new));
      assertEquals(0, build9.exit(), build9.out() + build9.err());
      assertTrue(RouteTable.of(sandbox.virtualService(), sandbox.env).onBlue(sandbox.env));
      assertEquals(0, sandbox.deployment("lms-green").getSpec().getReplicas());
      assertEquals(1, warRoom.bodies.stream().filter(b -> b.contains("ROLLBACK VERIFICATION")).count(), warRoom.bodies.toString());
      assertEquals(1, warRoom.bodies.stream().filter(b -> b.contains("Total rollback time")).count(), "one end message: " + warRoom.bodies);
    }
  }
}
