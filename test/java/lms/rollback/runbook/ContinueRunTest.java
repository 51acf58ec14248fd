package lms.rollback.runbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.ChainVerifier;
import lms.rollback.audit.Journal;
import lms.rollback.cluster.RouteTable;
import lms.rollback.testing.Cli;
import lms.rollback.testing.HttpReceiver;
import lms.rollback.testing.LmsctlProcess;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jenkins gives every build its own folder; a build that lost its run (aborted between stages, its agent gone) is
 * continued by the next build of the job: the same run, its decision still counting, no message sent twice.
 */
class ContinueRunTest {

  @TempDir Path out;

  private List<String> build(Path kubeconfig, int number, String... more) {
    List<String> args = new ArrayList<>(List.of("rollback", "--scenario", "B", "--env", Sandbox.ENV, "--trigger", "MAN-001", "--kubeconfig",
        kubeconfig.toString(), "--out-dir", builds().resolve("build-" + number).toString(), "--continue-from", builds().toString(),
        "--cluster-only", "--lock-wait", "5s", "--actor", "dev.smith", "--reason", "error rate 3% since the 02:00 release",
        "--lease-holder", "jenkins Rollback (production)"));
    args.addAll(List.of(more));
    return args;
  }

  /** The Release Commander approves build 41's run at its gate, as the build's input would record it. */
  private void approveBuild41(String... more) {
    List<String> args = new ArrayList<>(List.of("gate", "record", "--trigger", "MAN-001", "--level", "0", "--decision", "approve", "--by", "rc.jones",
        "--groups", "lms-release-commanders", "--requested-by", "dev.smith", "--reason", "confirmed on the error dashboard",
        "--out-dir", builds().resolve("build-41").toString()));
    args.addAll(List.of(more));
    Cli.Run approved = Cli.lmsctl(args.toArray(String[]::new));
    assertEquals(0, approved.exit(), approved.out() + approved.err());
  }

  private Path builds() {
    return out.resolve("lms-rollback");
  }

  private static long count(List<String> bodies, String text) {
    return bodies.stream().filter(b -> b.contains(text)).count();
  }

  @Test
  void anAbortedBuildSaysWhereItStoppedTheNextContinuesItsRunAndABuildAfterThatChangesNothing() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out); HttpReceiver warRoom = new HttpReceiver()) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      Map<String, String> env = Map.of("LMS_WAR_ROOM_WEBHOOK", warRoom.url());
      // Given build 41: its gate approved by the Release Commander, traffic switched, then the build lost
      assertEquals(5, LmsctlProcess.run(env, build(kubeconfig, 41, "--through", "decision").toArray(String[]::new)).exit());
      approveBuild41();
      Cli.Run switched = LmsctlProcess.run(env, build(kubeconfig, 41, "--through", "switch-traffic").toArray(String[]::new));
      assertEquals(0, switched.exit(), switched.out() + switched.err());
      long initiated = count(warRoom.bodies, "ROLLBACK INITIATED");
      assertEquals(1, initiated, warRoom.bodies.toString());
      // and build 41 ending aborted: its finally records the interruption, once however often it is said
      Cli.Run aborted = LmsctlProcess.run(env, build(kubeconfig, 41, "--interrupted", "build 41 was aborted by rc.jones").toArray(String[]::new));
      assertEquals(0, aborted.exit(), aborted.out() + aborted.err());
      assertTrue(aborted.out().contains("INTERRUPTED: interrupted after switch-traffic: build 41 was aborted by rc.jones"), aborted.out());
      assertTrue(Files.readString(builds().resolve("build-41").resolve("rollback-report.md")).contains("interrupted (build 41 was aborted"),
          "the aborted build has its report");
      assertEquals(0, LmsctlProcess.run(env, build(kubeconfig, 41, "--interrupted", "aborted again").toArray(String[]::new)).exit());
      assertEquals(1, count(warRoom.bodies, "ROLLBACK INTERRUPTED"), warRoom.bodies.toString());
      String told = warRoom.bodies.stream().filter(b -> b.contains("ROLLBACK INTERRUPTED")).findFirst().orElseThrow();
      assertTrue(told.contains("It stopped after switch-traffic") && told.contains("build the Rollback job again"), told);
      assertTrue(RouteTable.of(sandbox.virtualService(), sandbox.env).onBlue(sandbox.env), "nothing undone");
      assertEquals(3, sandbox.deployment("lms-green").getSpec().getReplicas(), "and nothing more done");

      // When build 42 runs the same rollback in its own folder
      Cli.Run next = LmsctlProcess.run(env, build(kubeconfig, 42).toArray(String[]::new));

      // Then it continues build 41's run: no second decision, no message repeated, Green down, one chain
      assertEquals(0, next.exit(), next.out() + next.err());
      assertTrue(RouteTable.of(sandbox.virtualService(), sandbox.env).onBlue(sandbox.env));
      assertEquals(0, sandbox.deployment("lms-green").getSpec().getReplicas());
      assertEquals(1, count(warRoom.bodies, "ROLLBACK INITIATED"), warRoom.bodies.toString());
      assertEquals(1, count(warRoom.bodies, "TRAFFIC SWITCHED"), warRoom.bodies.toString());
      assertEquals(1, count(warRoom.bodies, "ROLLBACK DECISION NEEDED"), "the Release Commander was asked once: " + warRoom.bodies);
      Path journal42 = builds().resolve("build-42").resolve(Journal.FILE_NAME);
      List<Journal.Entry> entries = Journal.reading(journal42).read();
      assertEquals(1, entries.stream().filter(e -> e.type().equals("scenario.start")).count(), "one run");
      assertTrue(entries.stream().anyMatch(e -> e.type().equals("run.continued") && e.data().path("from").asText().endsWith("build-41")));
      assertTrue(ChainVerifier.verify(journal42, null).intact());
      assertTrue(Files.readString(builds().resolve("build-42").resolve("rollback-report.md")).contains("rc.jones"), "the report names who decided");

      // And build 43, after the run ended, carries nothing over: nothing to do, nobody asked, nothing sent
      int sent = warRoom.bodies.size();
      Cli.Run after = LmsctlProcess.run(env, build(kubeconfig, 43).toArray(String[]::new));
      assertEquals(0, after.exit(), after.out() + after.err());
      assertTrue(after.out().contains("NOTHING TO DO") && after.out().contains("build-42"), after.out() + after.err());
      assertEquals(sent, warRoom.bodies.size(), warRoom.bodies.toString());
      assertFalse(Journal.reading(builds().resolve("build-43").resolve(Journal.FILE_NAME)).read().stream()
          .anyMatch(e -> e.type().equals("run.continued")));
    }
  }

  @Test
  void aRunLeftLongerThanThePlanAllowsOrAnotherRequestIsClosedAsAbandonedAndTheNewRequestIsDecidedAfresh() throws Exception {
    String yaml = new String(ContinueRunTest.class.getResourceAsStream("/lms/rollback/rollback-plan.yaml").readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8);
    Path plan = out.resolve("plan.yaml");
    Files.writeString(plan, yaml.replace("continueWithin: 30m", "continueWithin: 2s"));
    try (Sandbox sandbox = Sandbox.start(out); HttpReceiver warRoom = new HttpReceiver()) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      Map<String, String> env = Map.of("LMS_WAR_ROOM_WEBHOOK", warRoom.url());
      // Given build 41 at its gate, approved by the Release Commander, then lost before its engine went on
      assertEquals(5, LmsctlProcess.run(env, build(kubeconfig, 41, "--plan", plan.toString(), "--through", "decision").toArray(String[]::new)).exit());
      approveBuild41("--plan", plan.toString());

      // When build 42 makes the same request after the plan's gate.continueWithin (2s here)
      Thread.sleep(3000);
      Cli.Run late = LmsctlProcess.run(env, build(kubeconfig, 42, "--plan", plan.toString(), "--through", "decision").toArray(String[]::new));

      // Then build 41's run is closed as abandoned where it is (its report, the war room told), and build 42's request
      // is decided afresh: rc.jones's approval of an hour-old incident switches nothing now
      assertEquals(5, late.exit(), late.out() + late.err());
      assertTrue(late.err().contains("closed as abandoned") && late.err().contains("gate.continueWithin (2s)"), late.err());
      List<Journal.Entry> old = Journal.reading(builds().resolve("build-41").resolve(Journal.FILE_NAME)).read();
      assertTrue(old.stream().anyMatch(e -> e.type().equals("scenario.abandoned")), "the old run ends in its own journal");
      assertTrue(ChainVerifier.verify(builds().resolve("build-41").resolve(Journal.FILE_NAME), null).intact());
      assertTrue(Files.readString(builds().resolve("build-41").resolve("rollback-report.md")).contains("abandoned: it was last active"),
          "its report says why it ended");
      assertEquals(1, count(warRoom.bodies, "ROLLBACK ABANDONED"), warRoom.bodies.toString());
      assertEquals(1, count(warRoom.bodies, "Stopped after its last journaled entry: abandoned: it was last active"), warRoom.bodies.toString());
      List<Journal.Entry> fresh = Journal.reading(builds().resolve("build-42").resolve(Journal.FILE_NAME)).read();
      assertFalse(fresh.stream().anyMatch(e -> e.type().equals("run.continued")), "nothing carried over");
      assertTrue(late.out().contains("DECISION NEEDED"), late.out());
      assertEquals(2, count(warRoom.bodies, "ROLLBACK DECISION NEEDED"), "the Release Commander is asked again: " + warRoom.bodies);
      assertEquals(100, RouteTable.of(sandbox.virtualService(), sandbox.env).maxGreenShare(), "traffic untouched");

      // And build 43, within the window but requested by someone else, closes build 42's run too instead of continuing it
      Cli.Run other = LmsctlProcess.run(env, build(kubeconfig, 43, "--plan", plan.toString(), "--through", "decision", "--requested-by", "alice")
          .toArray(String[]::new));
      assertEquals(5, other.exit(), other.out() + other.err());
      assertTrue(other.err().contains("is not the run it left unfinished"), other.err());
      assertEquals(2, count(warRoom.bodies, "ROLLBACK ABANDONED"), warRoom.bodies.toString());
      assertEquals(3, sandbox.deployment("lms-green").getSpec().getReplicas(), "nothing changed by any of it");
    }
  }

  @Test
  void aRunTheEngineStoppedAtAFailingStepIsNotANewBuildsToContinue() {
    // Given build 41's run, stopped by the engine at its smoke tests (the war room was told ROLLBACK FAILED)
    Journal j = new Journal(builds().resolve("build-41"), "dev.smith");
    j.append(lms.rollback.audit.Event.SCENARIO_START, Map.of("scenario", "B", "environment", "production", "trigger", "MAN-001",
        "requestedBy", "dev.smith"));
    j.append(lms.rollback.audit.Event.SCENARIO_STOPPED, Map.of("scenario", "B", "stoppedAt", "confirm", "reason",
        "post-rollback smoke tests failed"));
    var call = new Resumption.Call("B", "production", "MAN-001", "dev.smith");
    var plan = Sandbox.PLAN.scenario("B");

    // When build 42 makes the same request at once
    RunContinuation.Stale stale = RunContinuation.stale(builds(), builds().resolve("build-42"), call, plan, java.time.Duration.ofMinutes(30),
        java.time.Instant.now());

    // Then it is not continued (seen on a real controller: the next build reused the approval and skipped Verify Blue)
    assertTrue(stale != null && stale.why().equals("the engine stopped it at confirm, and a new build starts a new run rather than continue a failed one"),
        String.valueOf(stale));
  }

  @Test
  void theBuildsInterruptionWaitsForItsEngineStillEndingInsteadOfBeingRefused() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out); HttpReceiver warRoom = new HttpReceiver()) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      Map<String, String> env = Map.of("LMS_WAR_ROOM_WEBHOOK", warRoom.url());
      assertEquals(5, LmsctlProcess.run(env, build(kubeconfig, 41, "--through", "decision").toArray(String[]::new)).exit());
      approveBuild41();
      // Given the build's engine still running in its folder (held after the switch), as when a stage's branch failed
      Map<String, String> held = new java.util.HashMap<>(env);
      held.put(LmsctlProcess.HOLD_AFTER, "switch.after");
      LmsctlProcess engine = LmsctlProcess.start(held, build(kubeconfig, 41));
      long until = System.nanoTime() + 120_000_000_000L;
      while (!engine.stderrText().contains("holding after journal entry")) {
        if (System.nanoTime() > until || !engine.process().isAlive()) throw new AssertionError("the engine never held: " + engine.stderrText());
        Thread.sleep(50);
      }

      // When the Report stage records the interruption while that process still holds the folder
      LmsctlProcess report = LmsctlProcess.start(env, build(kubeconfig, 41, "--interrupted", "build 41: a stage's branch failed"));
      long waited = System.nanoTime() + 60_000_000_000L;
      while (!report.stderrText().contains("waiting for the lmsctl rollback still running with --out-dir")) {
        if (System.nanoTime() > waited || !report.process().isAlive()) {
          throw new AssertionError("it should wait for the engine rather than be refused: " + report.stderrText());
        }
        Thread.sleep(50);
      }
      engine.process().destroyForcibly();
      Cli.Run recorded = report.await();

      // Then it is recorded once the engine has gone: where the run stopped, the war room told
      assertEquals(0, recorded.exit(), recorded.out() + recorded.err());
      assertTrue(recorded.err().contains("waiting for the lmsctl rollback still running with --out-dir"), "err: " + recorded.err() + "\nout: " + recorded.out());
      assertTrue(recorded.out().contains("INTERRUPTED: interrupted switch-traffic: build 41: a stage's branch failed"), recorded.out());
      assertEquals(1, count(warRoom.bodies, "ROLLBACK INTERRUPTED"), warRoom.bodies.toString());
    }
  }
}
