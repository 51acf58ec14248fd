package lms.rollback.runbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import lms.rollback.audit.ChainVerifier;
import lms.rollback.audit.Journal;
import lms.rollback.cluster.RouteTable;
import lms.rollback.testing.Cli;
import lms.rollback.testing.DatabaseApprovals;
import lms.rollback.testing.LmsctlProcess;
import lms.rollback.testing.PostgresServer;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scenario C killed with SIGKILL at every step boundary and in the middle of every step, then run
 * again with the same command: it must finish, redo nothing that was done, and never take the
 * database further down than one revision.
 */
class ResumeAfterKillTest {

  static final List<String> STEPS = List.of("announce", "switch-traffic", "verify-blue", "stop-green", "database-rollback", "verify-data", "confirm");
  static PostgresServer postgres;
  @TempDir Path out;

  @BeforeAll
  static void startPostgres() throws Exception {
    if (lms.rollback.testing.Tool.POSTGRESQL_AND_ALEMBIC.present()) postgres = PostgresServer.start(); // else each test says why it is skipped
  }

  @org.junit.jupiter.api.BeforeEach
  void needsPostgres() {
    lms.rollback.testing.Tool.POSTGRESQL_AND_ALEMBIC.require();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) postgres.close();
  }

  /** Where the first run is killed: after a step's end (a boundary), after its start, and inside steps. */
  static Stream<String> killPoints() {
    List<String> points = new ArrayList<>(List.of("scenario.start"));
    for (String step : STEPS) {
      points.add("step.start:" + step);
      points.add("step.end:" + step);
    }
    points.addAll(List.of("cluster.command.start", "logs.preserved", "database.downgrade.planned", "database.downgraded", "check.result"));
    return points.stream();
  }

  private static List<String> command(Path kubeconfig, Path out) {
    return List.of("rollback", "--scenario", "C", "--env", Sandbox.ENV, "--trigger", "MAN-004", "--kubeconfig", kubeconfig.toString(),
        "--out-dir", out.toString(), "--executor", "local", "--migrations", PostgresServer.SAMPLE_MIGRATIONS.toString(), "--cluster-only",
        "--lock-wait", "5s");
  }

  private void authorize() {
    DatabaseApprovals.record(out);
  }

  @ParameterizedTest(name = "killed after {0}")
  @MethodSource("killPoints")
  void theSameCommandFinishesARunKilledAt(String killPoint) throws Exception {
    // Given scenario C authorized on a bad release, with Green's migration 0003 applied
    String url = postgres.lmsAtHead();
    try (Sandbox sandbox = Sandbox.start(out)) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      authorize();
      Map<String, String> env = PostgresServer.environment(url);

      // When the engine is killed with SIGKILL at that point
      var first = LmsctlProcess.start(withHold(env, killPoint), command(kubeconfig, out));
      first.killWhenHeld();
      // ... and the same command runs again
      Cli.Run again = LmsctlProcess.run(env, command(kubeconfig, out).toArray(String[]::new));

      // Then it finishes
      assertEquals(0, again.exit(), again.out() + again.err());
      List<Journal.Entry> journal = new Journal(out, "t").read();
      assertTrue(journal.stream().anyMatch(e -> e.type().equals("scenario.resume")), "the second run resumed the first");
      assertEquals(1, journal.stream().filter(e -> e.type().equals("scenario.start")).count(), "one run, not two");
      assertEquals(1, journal.stream().filter(e -> e.type().equals("scenario.end")).count());
      // every step that acts ended well exactly once: what was done was not done again; Blue's verification, a check
      // later steps act on, is run again after a crash instead of being trusted
      for (String step : STEPS) {
        long ends = journal.stream().filter(e -> e.type().equals("step.end") && e.data().path("action").asText().equals(step)
            && e.data().path("ok").asBoolean()).count();
        if (step.equals("verify-blue")) assertTrue(ends >= 1 && ends <= 2, step + " ended well " + ends + " times");
        else assertEquals(1, ends, step + " ended well " + ends + " times");
      }
      // the database went down one revision, not two
      assertEquals("0002", PostgresServer.revision(url));
      assertEquals(1, journal.stream().filter(e -> e.type().equals("database.command") && e.data().path("command").asText().startsWith("alembic downgrade")
          && e.data().path("outcome").asText().equals("ok")).count(), "one downgrade ran");
      // the cluster is where scenario C leaves it
      assertTrue(RouteTable.of(sandbox.virtualService(), sandbox.env).onBlue(sandbox.env));
      assertEquals(0, sandbox.pods(sandbox.env.green().podLabels()));
      // and the journal's chain is whole despite the kill
      assertTrue(ChainVerifier.verify(out.resolve(Journal.FILE_NAME), null).intact());
      assertTrue(java.nio.file.Files.readString(out.resolve("rollback-report.md")).contains("**Outcome:** completed"));
    }
  }

  private static Map<String, String> withHold(Map<String, String> env, String point) {
    Map<String, String> m = new java.util.HashMap<>(env);
    m.put(LmsctlProcess.HOLD_AFTER, point);
    return m;
  }

  /** lmsRollback's stages: each advances the one run with --through, under the build's lease holder. */
  private static List<String> stage(Path kubeconfig, Path out, String through) {
    return List.of("rollback", "--scenario", "B", "--env", Sandbox.ENV, "--trigger", "AUTO-001", "--kubeconfig", kubeconfig.toString(),
        "--out-dir", out.toString(), "--cluster-only", "--lock-wait", "5s", "--through", through, "--lease-holder", "jenkins Rollback (production)",
        "--requested-by", "dev.smith");
  }

  @Test
  void aJenkinsDrivenRunKilledMidStepFinishesFromTheNextStageRedoingNothingAndSkippingNoCheck() throws Exception {
    try (Sandbox sandbox = Sandbox.start(out)) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      // AUTO-001 named on --cluster-only is not measured: the Release Commander decides it as a manual request
      lms.rollback.testing.Approvals.byReleaseCommander(out, "AUTO-001");
      for (String through : List.of("decision", "announce", "switch-traffic", "verify-blue")) {
        Cli.Run r = LmsctlProcess.run(Map.of(), stage(kubeconfig, out, through).toArray(String[]::new));
        assertEquals(0, r.exit(), through + ": " + r.out() + r.err());
      }
      // the agent dies while Green is being stopped
      LmsctlProcess.start(Map.of(LmsctlProcess.HOLD_AFTER, "cluster.command.start"), stage(kubeconfig, out, "stop-green")).killWhenHeld();

      // the next stage (or the stage retried) advances the same run
      Cli.Run next = LmsctlProcess.run(Map.of(), stage(kubeconfig, out, "confirm").toArray(String[]::new));

      assertEquals(0, next.exit(), next.out() + next.err());
      List<Journal.Entry> journal = new Journal(out, "t").read();
      assertEquals(1, journal.stream().filter(e -> e.type().equals("scenario.start")).count(), "one run across the stages");
      for (String step : List.of("announce", "switch-traffic", "stop-green", "confirm")) {
        assertEquals(1, journal.stream().filter(e -> e.type().equals("step.end") && e.data().path("action").asText().equals(step)
            && e.data().path("ok").asBoolean()).count(), step + " ended well once: nothing was done twice");
      }
      // what earlier stages did was checked again before Green was touched: traffic still on Blue (between orderly
      // stages), and Blue verified again in full after the stage that was killed
      List<String> verified = journal.stream().filter(e -> e.type().equals("step.verified")).map(e -> e.data().path("action").asText()).toList();
      assertTrue(verified.containsAll(List.of("switch-traffic", "verify-blue")), verified.toString());
      assertTrue(journal.stream().anyMatch(e -> e.type().equals("step.redo") && e.data().path("action").asText().equals("verify-blue")),
          "after the kill, verify-blue ran again");
      assertEquals(2, journal.stream().filter(e -> e.type().equals("step.end") && e.data().path("action").asText().equals("verify-blue")
          && e.data().path("ok").asBoolean()).count());
      assertEquals(0, sandbox.pods(sandbox.env.green().podLabels()));
      assertTrue(journal.stream().anyMatch(e -> e.type().equals("scenario.end")));
    }
  }

  @Test
  void aSecondRunnerOnTheSameEnvironmentIsRefusedWhileTheFirstHoldsTheLease() throws Exception {
    String url = postgres.lmsAtHead();
    try (Sandbox sandbox = Sandbox.start(out)) {
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      authorize();
      Map<String, String> env = PostgresServer.environment(url);
      var first = LmsctlProcess.start(withHold(env, "step.end:switch-traffic"), command(kubeconfig, out));
      try {
        waitForHold(first);
        Path elsewhere = out.resolve("second");
        List<String> second = new ArrayList<>(command(kubeconfig, elsewhere));
        second.set(second.indexOf("5s"), "1s");

        Cli.Run refused = LmsctlProcess.run(env, second.toArray(String[]::new));
        Cli.Run sameDir = LmsctlProcess.run(env, command(kubeconfig, out).toArray(String[]::new));

        assertEquals(3, refused.exit(), refused.err());
        assertTrue(refused.err().contains("environment is locked"), refused.err());
        assertEquals(3, sameDir.exit(), sameDir.err());
        assertTrue(sameDir.err().contains("another lmsctl rollback is running"), sameDir.err());
        assertEquals("0003", PostgresServer.revision(url), "the refused runners changed nothing");
      } finally {
        first.process().destroyForcibly();
      }
    }
  }

  private static void waitForHold(LmsctlProcess p) throws Exception {
    // killWhenHeld would kill it; here the first runner must stay alive, holding its lease
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (System.nanoTime() < deadline && p.process().isAlive()) {
      if (p.stderrText().contains("holding after journal entry")) return;
      Thread.sleep(50);
    }
    throw new IllegalStateException("the first runner did not reach its hold point: " + p.stderrText());
  }
}
