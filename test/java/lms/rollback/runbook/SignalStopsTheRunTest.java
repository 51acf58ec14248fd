package lms.rollback.runbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import lms.rollback.audit.ChainVerifier;
import lms.rollback.audit.Journal;
import lms.rollback.testing.Cli;
import lms.rollback.testing.HttpReceiver;
import lms.rollback.testing.LmsctlProcess;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * #38 item 8: SIGTERM (a Jenkins abort's first signal) or SIGINT (Ctrl-C) mid verify-blue used to leave no trace: exit 143,
 * nothing journaled, no report, the war room's last word "TRAFFIC SWITCHED". The run now records where it stopped, writes its
 * report and tells the war room before the process ends 143 / 130; the same command then finishes the run.
 */
class SignalStopsTheRunTest {

  @TempDir Path out;

  private List<String> command(Path kubeconfig) {
    return List.of("rollback", "--scenario", "B", "--env", Sandbox.ENV, "--trigger", "AUTO-001", "--kubeconfig", kubeconfig.toString(),
        "--out-dir", out.toString(), "--cluster-only", "--lock-wait", "5s", "--actor", "ops.oncall");
  }

  @ParameterizedTest(name = "SIG{0} mid verify-blue exits {1}")
  @CsvSource({"TERM, 143", "INT, 130"})
  void aSignalMidStepIsJournaledReportedAndToldBeforeTheProcessEnds(String signal, int exitCode) throws Exception {
    try (Sandbox sandbox = Sandbox.start(out); HttpReceiver warRoom = new HttpReceiver()) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      lms.rollback.testing.Approvals.byReleaseCommander(out, "AUTO-001");
      Map<String, String> env = Map.of("LMS_WAR_ROOM_WEBHOOK", warRoom.url());
      // Given the rollback in verify-blue (traffic on Blue, Green still up)
      Map<String, String> holding = new java.util.HashMap<>(env);
      holding.put(LmsctlProcess.HOLD_AFTER, "step.start:verify-blue");
      LmsctlProcess engine = LmsctlProcess.start(holding, command(kubeconfig));
      engine.awaitHeld();

      // When the process gets the signal
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(engine.process().pid())).inheritIO().start();
      assertEquals(0, kill.waitFor());
      assertTrue(engine.process().waitFor(60, TimeUnit.SECONDS), "lmsctl ended after SIG" + signal);

      // Then it exits 128 + the signal, having journaled where it stopped, written its report and told the war room
      assertEquals(exitCode, engine.process().exitValue(), engine.stdoutText() + engine.stderrText());
      List<Journal.Entry> journal = new Journal(out, "t").read();
      String said = engine.stderrText();
      var stopped = journal.stream().filter(e -> e.type().equals("scenario.interrupted")).findFirst()
          .orElseThrow(() -> new AssertionError("nothing journaled: " + journal.stream().map(Journal.Entry::type).toList() + said));
      assertEquals("verify-blue", stopped.data().path("stoppedAt").asText(), stopped.data().toString());
      assertTrue(stopped.data().path("reason").asText().contains("SIGTERM or SIGINT"), stopped.data().toString());
      assertTrue(ChainVerifier.verify(out.resolve(Journal.FILE_NAME), null).intact(), "the chain is whole");
      String report = Files.readString(out.resolve("rollback-report.md"));
      assertTrue(report.contains("interrupted"), report);
      String last = warRoom.bodies.get(warRoom.bodies.size() - 1);
      assertTrue(last.contains("ROLLBACK INTERRUPTED") && last.contains("verify-blue"), "the war room's last word: " + last);
      assertTrue(engine.stderrText().contains("INTERRUPTED"), engine.stderrText());
      assertEquals(3, sandbox.deployment("lms-green").getSpec().getReplicas(), "nothing more was done");

      // And the same command finishes the run, saying nothing twice
      Cli.Run again = LmsctlProcess.run(env, command(kubeconfig).toArray(String[]::new));
      assertEquals(0, again.exit(), again.out() + again.err());
      assertEquals(0, sandbox.deployment("lms-green").getSpec().getReplicas());
      assertEquals(1, warRoom.bodies.stream().filter(b -> b.contains("ROLLBACK INITIATED")).count(), warRoom.bodies.toString());
      assertEquals(1, warRoom.bodies.stream().filter(b -> b.contains("TRAFFIC SWITCHED")).count(), warRoom.bodies.toString());
      assertFalse(new Journal(out, "t").read().stream().filter(e -> e.type().equals("scenario.start")).count() > 1, "one run");
    }
  }
}
