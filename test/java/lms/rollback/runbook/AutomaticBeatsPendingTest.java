package lms.rollback.runbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import lms.rollback.audit.Journal;
import lms.rollback.testing.Cli;
import lms.rollback.testing.HttpReceiver;
import lms.rollback.testing.LmsctlProcess;
import lms.rollback.testing.Sandbox;
import lms.rollback.testing.ServedSandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * #36 item 1, §3.2: the automatic branch is immediate. A manual request waiting at its gate, having changed nothing, does
 * not hold up the automatic rollback: the watch's run takes the environment over at once, and the waiting run ends as
 * superseded, its deciders told.
 */
class AutomaticBeatsPendingTest {

  @TempDir Path dir;

  @Test
  void autoOneHoldingWhileManOneWaitsAtItsGateRollsBackAtOnceAndEndsTheWaitingRun() throws Exception {
    try (ServedSandbox served = ServedSandbox.start(dir.resolve("sandbox"), Map.of()); HttpReceiver warRoom = new HttpReceiver()) {
      Map<String, String> env = Map.of("LMS_WAR_ROOM_WEBHOOK", warRoom.url(), "LMS_SMOKE_USER", "u", "LMS_SMOKE_PASSWORD", "p",
          "LMS_SMOKE_TOKEN", "sandbox-token");
      String[] cluster = {"--kubeconfig", served.kubeconfig().toString(), "--plan", served.plan().toString(), "--env", Sandbox.ENV};
      // Given a MAN-001 rollback waiting at its gate for the Release Commander (5 minutes), holding the environment's lease
      Path pending = dir.resolve("pending");
      LmsctlProcess waiting = LmsctlProcess.start(env, concat(List.of("rollback", "--scenario", "B", "--trigger", "MAN-001", "--requested-by",
          "alice", "--reason", "error rate 3% since the release", "--out-dir", pending.toString(), "--wait", "--lease-holder", "build 7"), cluster));
      awaitEntry(pending, "gate.opened", waiting);

      // When the watch sees AUTO-001 hold
      long started = System.nanoTime();
      Cli.Run watch = LmsctlProcess.run(env, concat(List.of("watch", "--interval", "2s", "--for", "2m", "--window", "6s", "--out-dir",
          dir.resolve("watch").toString(), "--lock-wait", "5m"), cluster).toArray(String[]::new));
      long tookSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);

      // Then it rolled back (without waiting for the pending run's 5-minute window), having taken the environment over
      assertEquals(10, watch.exit(), watch.out() + watch.err());
      assertTrue(tookSeconds < 240, "the automatic rollback waited for the pending run: " + tookSeconds + "s");
      List<Journal.Entry> watched = new Journal(dir.resolve("watch"), "t").read();
      assertTrue(watched.stream().anyMatch(e -> e.type().equals("lease.superseded") && e.data().path("from").asText().startsWith("build 7")),
          "lease.superseded journaled");
      assertTrue(watched.stream().anyMatch(e -> e.type().equals("scenario.end")), "the automatic run completed");
      // and the waiting run ended as superseded, changing nothing, with the war room (where its deciders were asked) told
      Cli.Run ended = waiting.await();
      assertEquals(5, ended.exit(), ended.out() + ended.err());
      List<Journal.Entry> pendingJournal = new Journal(pending, "t").read();
      assertTrue(pendingJournal.stream().anyMatch(e -> e.type().equals("scenario.abandoned") && e.data().path("reason").asText()
          .contains("superseded while waiting for its decision: the automatic rollback for AUTO-001")), "abandoned as superseded");
      assertFalse(pendingJournal.stream().anyMatch(e -> e.type().equals("cluster.command")), "the pending run changed nothing");
      assertTrue(warRoom.bodies.stream().anyMatch(b -> b.contains("superseded") && b.contains("AUTO-001")), String.join("\n", warRoom.bodies));
    }
  }

  private static void awaitEntry(Path out, String type, LmsctlProcess process) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      if (Files.exists(out.resolve(Journal.FILE_NAME)) && new Journal(out, "t").read().stream().anyMatch(e -> e.type().equals(type))) return;
      if (!process.process().isAlive()) throw new AssertionError("lmsctl ended before " + type + ": " + process.stdoutText() + process.stderrText());
      Thread.sleep(200);
    }
    throw new AssertionError(type + " never journaled in " + out);
  }

  private static List<String> concat(List<String> a, String[] b) {
    List<String> all = new java.util.ArrayList<>(a);
    all.addAll(List.of(b));
    return all;
  }
}
