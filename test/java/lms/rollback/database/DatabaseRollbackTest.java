package lms.rollback.database;

import lms.rollback.audit.Event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Journal;
import lms.rollback.testing.Cli;
import lms.rollback.testing.DatabaseApprovals;
import lms.rollback.testing.LmsctlProcess;
import lms.rollback.testing.PostgresServer;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `lmsctl db-rollback` and scenario C's database steps against a real PostgreSQL and Debian's alembic. */
class DatabaseRollbackTest {

  static PostgresServer postgres;
  @TempDir Path out;
  Sandbox sandbox;
  Path kubeconfig;
  String url;

  @BeforeAll
  static void startPostgres() throws Exception {
    if (lms.rollback.testing.Tool.POSTGRESQL_AND_ALEMBIC.present()) postgres = PostgresServer.start(); // else each test says why it is skipped
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) postgres.close();
  }

  @BeforeEach
  void givenGreensMigrationsAppliedAndAnEmbeddedCluster() throws Exception {
    lms.rollback.testing.Tool.POSTGRESQL_AND_ALEMBIC.require();
    url = postgres.lmsAtHead();
    sandbox = Sandbox.start(out);
    kubeconfig = sandbox.cluster.server().writeKubeconfig(out.resolve("kubeconfig.yaml"));
  }

  @AfterEach
  void stopSandbox() {
    if (sandbox != null) sandbox.close();
  }

  private Cli.Run dbRollback(String... extra) throws Exception {
    List<String> args = new java.util.ArrayList<>(List.of("db-rollback", "--env", Sandbox.ENV, "--kubeconfig", kubeconfig.toString(),
        "--out-dir", out.toString(), "--executor", "local", "--migrations", PostgresServer.SAMPLE_MIGRATIONS.toString(), "--trigger", "MAN-004"));
    args.addAll(List.of(extra));
    return LmsctlProcess.run(PostgresServer.environment(url), args.toArray(String[]::new));
  }

  private void authorize() {
    DatabaseApprovals.record(out);
  }

  private List<String> types() {
    return new Journal(out, "t").read().stream().map(Journal.Entry::type).toList();
  }

  @Test
  void downgradesOneRevisionVerifiesItAndChecksIntegrity() throws Exception {
    authorize();

    Cli.Run run = dbRollback();

    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains("0003 -> 0002"), run.out());
    assertEquals("0002", PostgresServer.revision(url));
    assertEquals("0", PostgresServer.query(url, "SELECT count(*) FROM information_schema.table_constraints WHERE constraint_name = 'ck_leave_requests_days_positive'"));
    assertTrue(types().containsAll(List.of(Event.DATABASE_DOWNGRADE_PLANNED.key(), Event.DATABASE_DOWNGRADED.key(), "check.result", "database.command")));
    String junit = Files.readString(out.resolve("data-integrity-junit.xml"));
    assertEquals(Sandbox.PLAN.database().integrityChecks().size(), junit.split("<testcase").length - 1, junit);
    assertFalse(junit.contains("<failure"), junit);
  }

  @Test
  void runningItAgainDoesNotGoFurtherDown() throws Exception {
    authorize();
    assertEquals(0, dbRollback().exit());

    Cli.Run again = dbRollback();

    assertEquals(0, again.exit(), again.err());
    assertTrue(again.out().contains("already at 0002"), again.out());
    assertEquals("0002", PostgresServer.revision(url));
    assertTrue(types().contains("database.noop"));
  }

  @Test
  void refusedWithoutTheTwoPersonAuthorization() throws Exception {
    Cli.Run run = dbRollback();

    assertEquals(5, run.exit(), run.err());
    assertTrue(run.err().contains("two-person authorization"), run.err());
    assertEquals("0003", PostgresServer.revision(url));
    assertTrue(types().contains(Event.DATABASE_REFUSED.key()));
    assertFalse(types().contains(Event.DATABASE_DOWNGRADE_PLANNED.key()));
  }

  @Test
  void aRehearsalNeedsNoAuthorizationButIsRefusedOnProduction() throws Exception {
    Cli.Run run = dbRollback("--rehearsal");

    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().contains("--rehearsal"), run.err());
    assertEquals("0003", PostgresServer.revision(url));
  }

  @Test
  void anIrreversibleMigrationIsRefused() throws Exception {
    authorize();
    Path plan = out.resolve("plan.yaml");
    String text = new String(getClass().getResourceAsStream("/lms/rollback/rollback-plan.yaml").readAllBytes());
    Files.writeString(plan, text.replace("irreversibleRevisions: []", "irreversibleRevisions: [\"0003\"]"));

    Cli.Run run = dbRollback("--plan", plan.toString());

    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().contains("0003 is marked irreversible"), run.err());
    assertEquals("0003", PostgresServer.revision(url));
  }

  @Test
  void aDowngradeThatFailsHalfwaySaysWhereTheDatabaseIs() throws Exception {
    authorize();
    // a DBA's report view on the column 0002 added: dropping that column fails
    PostgresServer.sql(url, "CREATE VIEW half_days AS SELECT id FROM leave_requests WHERE half_day");

    Cli.Run run = dbRollback("--target", "0001");

    assertEquals(1, run.exit(), run.out() + run.err());
    assertTrue(run.err().contains("in migration 0002 -> 0001"), run.err());
    assertTrue(run.err().contains("the database is at revision 0002"), run.err());
    assertTrue(run.err().contains("scenario D"), run.err());
    assertEquals("0002", PostgresServer.revision(url), "0003's downgrade ran in its own transaction and stays done");
    var failed = new Journal(out, "t").read().stream().filter(e -> e.is(Event.DATABASE_DOWNGRADE_FAILED)).findFirst().orElseThrow();
    assertEquals("0002", failed.data().path("at").asText());
    assertEquals("0002 -> 0001", failed.data().path("failedMigration").asText());
    assertTrue(failed.data().path("error").asText().contains("depend"), failed.data().toString());
  }

  @Test
  void aFailedIntegrityCheckFailsTheRollback() throws Exception {
    authorize();
    PostgresServer.sql(url, "UPDATE leave_balances SET days_remaining = -3 WHERE employee_id = 2");

    Cli.Run run = dbRollback();

    assertEquals(4, run.exit(), run.out() + run.err());
    assertTrue(run.out().contains("No negative leave balance"), run.out());
    assertTrue(Files.readString(out.resolve("data-integrity-junit.xml")).contains("<failure"));
  }

  @Test
  void scenarioCStopsAtAFailedDowngradeAndTheReportRecommendsD() throws Exception {
    authorize();
    PostgresServer.sql(url, "CREATE VIEW half_days AS SELECT id FROM leave_requests WHERE half_day");

    Cli.Run run = LmsctlProcess.run(PostgresServer.environment(url), "rollback", "--scenario", "C", "--env", Sandbox.ENV, "--trigger", "MAN-004",
        "--kubeconfig", kubeconfig.toString(), "--out-dir", out.toString(), "--executor", "local", "--migrations",
        PostgresServer.SAMPLE_MIGRATIONS.toString(), "--target", "0001", "--cluster-only");

    assertEquals(1, run.exit(), run.out() + run.err());
    assertTrue(run.out().contains("STOPPED at database-rollback"), run.out());
    assertFalse(types().contains("step.start") && stepStarted("verify-data"), "verify-data must not run after a failed downgrade");
    String report = Files.readString(out.resolve("rollback-report.md"));
    assertTrue(report.contains("scenario D"), report);
    lms.rollback.testing.ReportAssertions.sectionsInTemplateOrder(report, Files.readString(out.resolve("rollback-report.html")));
    assertEquals(0, sandbox.pods(sandbox.env.green().podLabels()), "Green was stopped before the database step");
  }

  private boolean stepStarted(String action) {
    return new Journal(out, "t").read().stream().anyMatch(e -> e.type().equals("step.start") && e.data().path("action").asText().equals(action));
  }

  @Test
  void theUrlIsRequiredAndItsPasswordNeverPrinted() throws Exception {
    authorize();
    Cli.Run missing = LmsctlProcess.run(Map.of(), "db-rollback", "--env", Sandbox.ENV, "--kubeconfig", kubeconfig.toString(),
        "--out-dir", out.toString(), "--executor", "local", "--migrations", PostgresServer.SAMPLE_MIGRATIONS.toString());
    assertEquals(2, missing.exit(), missing.err());
    assertTrue(missing.err().contains("$LMS_DATABASE_URL is not set"), missing.err());

    String withPassword = url.replace("lms@", "lms:s3cret-pw@");
    Cli.Run run = LmsctlProcess.run(PostgresServer.environment(withPassword), "db-rollback", "--env", Sandbox.ENV, "--kubeconfig",
        kubeconfig.toString(), "--out-dir", out.toString(), "--executor", "local", "--migrations", PostgresServer.SAMPLE_MIGRATIONS.toString());
    assertEquals(0, run.exit(), run.err());  // trust authentication ignores the password
    assertFalse(run.out().contains("s3cret-pw") || run.err().contains("s3cret-pw"));
    assertFalse(Files.readString(out.resolve(Journal.FILE_NAME)).contains("s3cret-pw"));
  }

  @Test
  void scenarioDRestoresTheBackupBehindTheMaintenancePageAndComesBackOnBlue() throws Exception {
    // Given last night's backup, and a database Green has since wrecked
    Path dump = PostgresServer.dump(url, out.resolve("lms-nightly.dump"));
    PostgresServer.sql(url, "DELETE FROM leave_requests", "UPDATE leave_balances SET days_remaining = -99");
    String blueImageBefore = sandbox.deployment(sandbox.env.blue().deployment()).getSpec().getTemplate().getSpec().getContainers().get(0).getImage();

    // When the CIO decides, the DBA and the Release Commander authorize, and the restore runs
    DatabaseApprovals.record(out, "BUS-004", "cio.ng", "lms-cio");
    Cli.Run run = LmsctlProcess.run(PostgresServer.environment(url), "restore", "--env", Sandbox.ENV, "--trigger", "BUS-004",
        "--dump", dump.toString(), "--kubeconfig", kubeconfig.toString(), "--out-dir", out.toString(), "--cluster-only");

    // Then the data is back, Blue was redeployed, and traffic is on Blue with maintenance off
    assertEquals(0, run.exit(), run.out() + run.err());
    assertEquals("2", PostgresServer.query(url, "SELECT count(*) FROM leave_requests"));
    assertEquals("0", PostgresServer.query(url, "SELECT count(*) FROM leave_balances WHERE days_remaining < 0"));
    var vs = sandbox.virtualService();
    assertTrue(lms.rollback.cluster.RouteTable.of(vs, sandbox.env).onBlue(sandbox.env), vs.getSpec().getHttp().toString());
    assertFalse(vs.getMetadata().getAnnotations() != null && vs.getMetadata().getAnnotations().containsKey(lms.rollback.cluster.MaintenanceMode.SAVED_ROUTES));
    var blue = sandbox.deployment(sandbox.env.blue().deployment());
    assertEquals(blueImageBefore, blue.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    assertTrue(blue.getSpec().getTemplate().getMetadata().getAnnotations().containsKey(lms.rollback.cluster.BlueRedeploy.RESTARTED_AT));
    List<String> types = types();
    for (String t : List.of("escalation", "maintenance.on", "database.restored", "blue.redeployed", "maintenance.off", "scenario.end")) {
      assertTrue(types.contains(t), t + " in " + types);
    }
    assertTrue(types.indexOf("maintenance.on") < types.indexOf("database.restore.start"), "maintenance before the restore");
    assertTrue(types.lastIndexOf("check.result") < types.indexOf("maintenance.off"), "verified before leaving maintenance");
    assertTrue(Files.readString(out.resolve("rollback-report.md")).contains("Emergency Restore"));
    // Green, the failed release, is not left running beside the restored Blue; the run is held to its own 30m-60m target
    assertEquals(0, sandbox.deployment(sandbox.env.green().deployment()).getSpec().getReplicas());
    assertTrue(types.indexOf("maintenance.off") < types.indexOf("stop-green.done"), types.toString());
    assertTrue(Files.readString(out.resolve("rollback-report.md")).contains("the 60m target"), "scenario D's own target");
    lms.rollback.testing.ReportAssertions.sectionsInTemplateOrder(Files.readString(out.resolve("rollback-report.md")),
        Files.readString(out.resolve("rollback-report.html")));
    assertTrue(types.contains("notify.skipped") || types.contains("notify.sent"), "the executives' notice was attempted: " + types);
    assertTrue(Files.readString(out.resolve(Journal.FILE_NAME)).contains("executive-escalation"));
  }

  @Test
  void scenarioDDrivenStageByStageDoesNotPutMaintenanceBackAfterTheRestoreWasVerified() throws Exception {
    // Given a backup and a D run that Jenkins advances one stage at a time, through the verified restore
    Path dump = PostgresServer.dump(url, out.resolve("lms-nightly.dump"));
    DatabaseApprovals.record(out, "BUS-004", "cio.ng", "lms-cio");
    List<String> d = List.of("rollback", "--scenario", "D", "--env", Sandbox.ENV, "--trigger", "BUS-004", "--dump", dump.toString(),
        "--kubeconfig", kubeconfig.toString(), "--out-dir", out.toString(), "--cluster-only");
    Cli.Run first = LmsctlProcess.run(PostgresServer.environment(url), concat(d, "--through", "verify-restore"));
    assertEquals(0, first.exit(), first.out() + first.err());
    assertFalse(lms.rollback.cluster.MaintenanceMode.active(sandbox.virtualService()), "verify-restore left maintenance onto Blue");

    // When the next stage continues the run
    Cli.Run next = LmsctlProcess.run(PostgresServer.environment(url), d.toArray(String[]::new));

    // Then maintenance-on is judged as verify-restore left it (not redone), and the run ends on Blue with Green down
    assertEquals(0, next.exit(), next.out() + next.err());
    var vs = sandbox.virtualService();
    assertFalse(lms.rollback.cluster.MaintenanceMode.active(vs), "production is not sent back to the maintenance page");
    assertTrue(lms.rollback.cluster.RouteTable.of(vs, sandbox.env).onBlue(sandbox.env), vs.getSpec().getHttp().toString());
    assertEquals(0, sandbox.deployment(sandbox.env.green().deployment()).getSpec().getReplicas());
    String journal = Files.readString(out.resolve(Journal.FILE_NAME));
    assertFalse(journal.contains("\"type\":\"step.redo\""), "nothing redone");
    assertTrue(journal.contains("left by verify-restore on purpose"), "the skip says why");
    assertEquals(1, types().stream().filter("maintenance.on"::equals).count(), "maintenance entered once");
    assertEquals(1, types().stream().filter("database.restored"::equals).count(), "the backup restored once");
  }

  private static String[] concat(List<String> args, String... more) {
    List<String> all = new java.util.ArrayList<>(args);
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  @Test
  void scenarioDRefusesWithoutADumpAndAFailedRestoreKeepsMaintenanceOn() throws Exception {
    Cli.Run noDump = LmsctlProcess.run(PostgresServer.environment(url), "rollback", "--scenario", "D", "--env", Sandbox.ENV, "--trigger", "BUS-004",
        "--kubeconfig", kubeconfig.toString(), "--out-dir", out.toString(), "--cluster-only");
    assertEquals(2, noDump.exit(), noDump.err());
    assertTrue(noDump.out().contains("the preflight refused: Backup to restore: --dump"), noDump.out());
    assertFalse(types().contains("gate.opened"), "refused before anyone was asked");

    DatabaseApprovals.record(out, "BUS-004", "cio.ng", "lms-cio");
    Path notADump = Files.writeString(out.resolve("not-a-dump.dump"), "this is not a pg_dump archive");
    Cli.Run bad = LmsctlProcess.run(PostgresServer.environment(url), "restore", "--env", Sandbox.ENV, "--trigger", "BUS-004",
        "--dump", notADump.toString(), "--kubeconfig", kubeconfig.toString(), "--out-dir", out.toString(), "--cluster-only");

    assertEquals(1, bad.exit(), bad.out() + bad.err());
    assertTrue(bad.out().contains("STOPPED at restore-database"), bad.out());
    assertTrue(lms.rollback.cluster.MaintenanceMode.active(sandbox.virtualService()), "LMS stays behind its maintenance page");
  }
}
