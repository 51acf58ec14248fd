package lms.rollback.cli;

import lms.rollback.audit.Event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Journal;
import lms.rollback.gate.DecisionRecorder;
import lms.rollback.testing.Cli;
import lms.rollback.testing.LmsctlProcess;
import lms.rollback.testing.PostgresServer;
import lms.rollback.testing.Sandbox;
import lms.rollback.testing.Tool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * #21 item 1: `lmsctl watch --scenario C` runs the same run `lmsctl rollback` does, database steps included — once an
 * automatic trigger held (the stand-in's Green erring for minutes), with the two-person authorization of its database
 * rollback given (a measured trigger decides the rollback, not its schema downgrade: §4.2 step 4).
 */
class WatchScenarioCTest {

  static PostgresServer postgres;
  @TempDir Path out;

  @BeforeAll
  static void startPostgres() throws Exception {
    if (Tool.POSTGRESQL_AND_ALEMBIC.present()) postgres = PostgresServer.start(); // else the test says why it is skipped
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) postgres.close();
  }

  @Test
  void aHeldTriggerRunsScenarioCsDatabaseStepsOnceTheDbaAndTheReleaseCommanderAuthorizedThem() throws Exception {
    Tool.POSTGRESQL_AND_ALEMBIC.require();
    String url = postgres.lmsAtHead();
    Path watched = out.resolve("watched");
    try (Sandbox sandbox = Sandbox.start(out)) {
      sandbox.cluster.startLms(sandbox.env);
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
      // Given the DBA and the Release Commander have authorized the schema rollback, and the DBA paused the writes (§4.1 #4)
      var recorder = new DecisionRecorder(Sandbox.PLAN, new Journal(watched, "rc.jones"));
      recorder.record(new DecisionRecorder.Decision("AUTO-001", DecisionRecorder.Kind.approve, "dba.lee", List.of("lms-dbas"),
          "the half-day migration corrupts balances", 0, "lmsctl watch", true, false));
      recorder.record(new DecisionRecorder.Decision("AUTO-001", DecisionRecorder.Kind.approve, "rc.jones", List.of("lms-release-commanders"),
          "agreed, roll the schema back with the release", 0, "lmsctl watch", true, false));
      new Journal(watched, "dba.lee").append(Event.CHECKLIST_DONE, Map.of("step", "4", "groups", "lms-dbas", "note", "writes paused at the connection pool"));

      // When the watch sees AUTO-001 hold
      Cli.Run run = LmsctlProcess.run(PostgresServer.environment(url), "watch", "--env", Sandbox.ENV, "--scenario", "C", "--kubeconfig",
          kubeconfig.toString(), "--out-dir", watched.toString(), "--prometheus", sandbox.cluster.metrics().url(), "--cluster-only", "--for", "20s",
          "--interval", "1s", "--lock-wait", "5s", "--executor", "local", "--migrations", PostgresServer.SAMPLE_MIGRATIONS.toString());

      // Then scenario C ran to its end: traffic on Blue, Green down, the database one revision down
      assertEquals(10, run.exit(), run.out() + run.err());
      assertEquals("0002", PostgresServer.revision(url));
      assertEquals(0, sandbox.pods(sandbox.env.green().podLabels()));
      List<String> ended = new Journal(watched, "t").read().stream().filter(e -> e.type().equals("step.end") && e.data().path("ok").asBoolean())
          .map(e -> e.data().path("action").asText()).toList();
      assertTrue(ended.contains("database-rollback") && ended.contains("verify-data"), ended.toString());
    }
  }
}
