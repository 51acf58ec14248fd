package lms.rollback.runbook;

import lms.rollback.audit.Event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Journal;
import lms.rollback.testing.Cli;
import lms.rollback.testing.Sandbox;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** §9.1 before production: the readiness check reads rehearsal runs' journals and says which test is missing or stale. */
class ReadinessTest {

  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path records;

  /** A completed rehearsal run as the engine journals it, ended {@code ago}, its scorecard passed. */
  private Path rehearsal(String folder, String scenario, String environment, String release, Duration ago) {
    return rehearsal(folder, scenario, environment, release, ago, true);
  }

  private Path rehearsal(String folder, String scenario, String environment, String release, Duration ago, boolean scorecardPassed) {
    Path dir = records.resolve(folder);
    Journal j = new Journal(dir, "timer", Clock.fixed(Instant.now().minus(ago), ZoneOffset.UTC));
    j.append(Event.SCENARIO_START, Map.of("scenario", scenario, "environment", environment, "trigger", "MAN-004", "rehearsal", true, "release", release));
    j.append(Event.SCENARIO_END, Map.of("scenario", scenario, "state", "completed"));
    j.append(Event.REHEARSAL_SCORED, Map.of("scenario", scenario, "passed", scorecardPassed, "items", List.of(
        Map.of("id", 6, "test", "Database restored from backup", "state", scorecardPassed ? "passed" : "failed", "measured", "pg_restore exit 1"))));
    return dir.resolve(Journal.FILE_NAME);
  }

  private Cli.Run readiness(String... more) {
    String[] args = new String[more.length + 6];
    System.arraycopy(new String[] {"readiness", "--records", records.toString(), "-o", "json", "--release"}, 0, args, 0, 6);
    System.arraycopy(more, 0, args, 6, more.length);
    return Cli.lmsctl(args);
  }

  private static JsonNode test(Cli.Run r, String id) throws Exception {
    for (JsonNode t : JSON.readTree(r.out()).path("tests")) if (t.path("test").asText().equals(id)) return t;
    throw new AssertionError(id + " not in " + r.out());
  }

  @BeforeEach
  void theMonthsRehearsals() throws Exception {
    // this release's traffic switch, rehearsed for real on the staging sandbox (Green there runs 3.0.0)
    try (Sandbox sandbox = Sandbox.start(records.resolve("sandbox"))) {
      sandbox.cluster.seed(Sandbox.PLAN.environment("staging"));
      Path kubeconfig = sandbox.cluster.server().writeKubeconfig(records.resolve("kubeconfig.yaml"));
      Cli.Run run = Cli.lmsctl("rollback", "--scenario", "A", "--env", "staging", "--trigger", "MAN-004", "--rehearsal-of", "traffic-switch", "--kubeconfig",
          kubeconfig.toString(), "--out-dir", records.resolve("build-7").toString(), "--cluster-only", "--lock-wait", "5s", "--actor", "timer");
      assertEquals(0, run.exit(), run.out() + run.err());
      // a staging rehearsal's report: §8.2 in order, no placeholder, and it says it was a rehearsal
      String md = java.nio.file.Files.readString(records.resolve("build-7/rollback-report.md"));
      lms.rollback.testing.ReportAssertions.sectionsInTemplateOrder(md, java.nio.file.Files.readString(records.resolve("build-7/rollback-report.html")));
      assertTrue(md.contains("Rehearsal"), md);
    }
    // that one ran on the cluster only: its scorecard fails what it never checked (#38 item 13); this release's switch
    // was also rehearsed with Blue's checks made, the day before
    rehearsal("build-6", "A", "staging", "3.0.0", Duration.ofDays(1));
    // the monthly full rollback of the previous release, and last quarter's restore
    rehearsal("build-5", "C", "staging", "2.9.0", Duration.ofDays(10));
    rehearsal("build-2", "D", "dr", "2.8.0", Duration.ofDays(40));
  }

  @Test
  void aReleaseWhoseTestsAreFreshIsReady() throws Exception {
    Cli.Run r = readiness("3.0.0");

    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(JSON.readTree(r.out()).path("ready").asBoolean());
    assertEquals("ready", test(r, "traffic-switch").path("state").asText());
    assertEquals("3.0.0", test(r, "traffic-switch").path("release").asText());
    assertTrue(test(r, "traffic-switch").path("journal").asText().contains("build-6"), "the rehearsal whose scorecard passed: " + r.out());
    assertEquals("not-required", test(r, "database-rollback").path("state").asText());
  }

  @Test
  void migrationsNeedADatabaseRollbackOfThisRelease() throws Exception {
    Cli.Run r = readiness("3.0.0", "--migrations");

    assertEquals(4, r.exit(), r.out());
    assertEquals("missing", test(r, "database-rollback").path("state").asText());
    assertTrue(test(r, "database-rollback").path("why").asText().contains("release 2.9.0) did not test release 3.0.0"), r.out());
  }

  @Test
  void anotherReleaseHasNotHadItsTrafficSwitchTest() throws Exception {
    Cli.Run r = readiness("3.1.0");

    assertEquals(4, r.exit());
    assertEquals("missing", test(r, "traffic-switch").path("state").asText());
    assertEquals("ready", test(r, "full-rollback").path("state").asText(), "the monthly one does not depend on the release");
  }

  @Test
  void aStaleRestoreOrAnEditedRecordCountsForNothing() throws Exception {
    rehearsal("build-1", "D", "dr", "2.7.0", Duration.ofDays(100));
    rehearsal("build-3", "D", "staging", "2.8.0", Duration.ofDays(1)); // a restore rehearsed off the DR environment is not the §9.1 test
    Path edited = records.resolve("build-2").resolve(Journal.FILE_NAME);
    Files.writeString(edited, Files.readString(edited).replace("2.8.0", "2.9.9"));

    Cli.Run r = readiness("3.0.0");

    assertEquals(4, r.exit());
    assertEquals("missing", test(r, "backup-restore").path("state").asText());
    assertTrue(test(r, "backup-restore").path("why").asText().contains("older than 92 days"), r.out());
    assertTrue(JSON.readTree(r.out()).path("ignored").toString().contains("build-2"), r.out());
  }

  @Test
  void aRehearsalWhoseScorecardFailedCountsForNothing() throws Exception {
    // last week's restore ran to its end, but its scorecard failed: the quarter's passing one (40 days ago) still stands
    rehearsal("build-9", "D", "dr", "2.9.0", Duration.ofDays(7), false);

    Cli.Run r = readiness("3.0.0");

    assertEquals(0, r.exit(), r.out() + r.err());
    assertEquals("ready", test(r, "backup-restore").path("state").asText());
    assertTrue(test(r, "backup-restore").path("journal").asText().contains("build-2"), "not the failed one: " + r.out());

    // with no passing one, the failed one is named and why, and the release is not ready
    Files.delete(records.resolve("build-2").resolve(Journal.FILE_NAME));
    Cli.Run notReady = readiness("3.0.0");

    assertEquals(4, notReady.exit(), notReady.out());
    JsonNode restore = test(notReady, "backup-restore");
    assertEquals("missing", restore.path("state").asText());
    assertTrue(restore.path("why").asText().contains("did not pass its §9.2 scorecard: #6 Database restored from backup (measured pg_restore exit 1)"),
        restore.toString());
    assertTrue(restore.path("scorecard").asText().startsWith("failed"), restore.toString());
  }

  /** #38 item 13: a --cluster-only rehearsal made no HTTP, Prometheus or smoke check: its scorecard fails them and it is not ready. */
  @Test
  void aClusterOnlyRehearsalWhoseScorecardFailedCountsForNothing() throws Exception {
    Path journal = records.resolve("build-7").resolve(Journal.FILE_NAME);
    JsonNode scored = Journal.reading(journal).read().stream().filter(e -> e.is(Event.REHEARSAL_SCORED)).findFirst().orElseThrow().data();
    assertTrue(!scored.path("passed").asBoolean(true), "what was not checked is not passed: " + scored);
    Files.delete(records.resolve("build-6").resolve(Journal.FILE_NAME));

    Cli.Run r = readiness("3.0.0");

    assertEquals(4, r.exit(), r.out());
    JsonNode sw = test(r, "traffic-switch");
    assertEquals("missing", sw.path("state").asText(), sw.toString());
    assertTrue(sw.path("journal").asText().contains("build-7"), sw.toString());
    assertTrue(sw.path("why").asText().contains("did not pass its §9.2 scorecard: #2 Blue health verified (measured not measured: the run did not check"),
        sw.toString());
    assertTrue(sw.path("why").asText().contains("(--cluster-only)"), sw.toString());
    assertTrue(sw.path("scorecard").asText().startsWith("failed"), sw.toString());
  }

  @Test
  void aRunNamesTheTestItRehearsesAndTheReportSaysSo() throws Exception {
    Path journal = records.resolve("build-7").resolve(Journal.FILE_NAME);
    JsonNode start = Journal.reading(journal).read().stream().filter(e -> e.type().equals("scenario.start")).findFirst().orElseThrow().data();
    assertEquals("traffic-switch", start.path("rehearsalOf").asText());
    JsonNode scored = Journal.reading(journal).read().stream().filter(e -> e.is(Event.REHEARSAL_SCORED)).findFirst().orElseThrow().data();
    assertTrue(scored.has("passed") && scored.path("items").size() > 0, "the run's scorecard is in its journal, for readiness: " + scored);
    assertTrue(start.path("rehearsal").asBoolean());
    assertTrue(Files.readString(records.resolve("build-7").resolve("rollback-report.md"))
        .contains("| Rehearsal | Traffic switch test of §9.1 (Every release, staging, DevOps) |"));
    assertTrue(Files.readString(records.resolve("build-7").resolve("rollback-report.html")).contains("<th>Rehearsal</th><td>Traffic switch test of §9.1"));
  }

  @Test
  void aRehearsalOfATestRunsItsScenarioOnItsEnvironmentOrNothing() throws Exception {
    String[][] wrong = {
        {"--rehearsal-of", "fire-drill", "--scenario", "A", "--env", "staging"},
        {"--rehearsal-of", "backup-restore", "--scenario", "A", "--env", "dr"},
        {"--rehearsal-of", "full-rollback", "--scenario", "C", "--env", "dr"}};
    String[] why = {"--rehearsal-of: unknown test 'fire-drill'; allowed: traffic-switch, full-rollback, database-rollback, backup-restore",
        "--scenario: the Backup restore test (§9.1) rehearses scenario D, not A", "--env: the Full rollback test (§9.1) runs on staging, not dr"};
    for (int i = 0; i < wrong.length; i++) {
      Path dir = records.resolve("wrong-" + i);
      String[] args = new String[wrong[i].length + 7];
      System.arraycopy(new String[] {"rollback", "--trigger", "MAN-004", "--out-dir", dir.toString(), "--kubeconfig", "/nonexistent"}, 0, args, 0, 7);
      System.arraycopy(wrong[i], 0, args, 7, wrong[i].length);
      Cli.Run r = Cli.lmsctl(args);
      assertEquals(2, r.exit(), r.err());
      assertTrue(r.err().contains(why[i]), r.err());
      assertTrue(!Files.exists(dir.resolve(Journal.FILE_NAME)) || !Files.readString(dir.resolve(Journal.FILE_NAME)).contains("scenario.start"));
    }
  }

  @Test
  void aMonthlyTimerIsToldWhichRehearsalsAreDueBeforeItsNextRun() throws Exception {
    // the full rollback passed 10 days ago: by the next monthly run it is 41 days old, so it is due now; the restore
    // (40 days) will be 71, still within 92; the tests of a release are left to the deployment pipeline
    Cli.Run r = Cli.lmsctl("readiness", "--records", records.toString(), "--due-in-days", "31", "-o", "json");

    assertEquals(4, r.exit(), r.out() + r.err());
    assertEquals("missing", test(r, "full-rollback").path("state").asText());
    assertTrue(test(r, "full-rollback").path("why").asText().contains("(10d ago, release 2.9.0) will be, in 31 days, older than 31 days"), r.out());
    assertEquals("ready", test(r, "backup-restore").path("state").asText());
    assertEquals("not-required", test(r, "traffic-switch").path("state").asText());
    assertTrue(test(r, "traffic-switch").path("why").asText().contains("deployment pipeline"));
    assertEquals(31, JSON.readTree(r.out()).path("dueInDays").asInt());

    // two months on, the quarter's restore is due too
    try (var old = Files.walk(records.resolve("build-2"))) {
      old.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
    rehearsal("build-2", "D", "dr", "2.8.0", Duration.ofDays(70));
    Cli.Run later = Cli.lmsctl("readiness", "--records", records.toString(), "--due-in-days", "31");
    assertTrue(later.out().contains("Rehearsals due within 31 days (§9.1): full-rollback, backup-restore"), later.out());
  }

  @Test
  void badInputChangesNothingAndSaysWhatIsAllowed() {
    Cli.Run none = Cli.lmsctl("readiness", "--records", records.toString());
    assertEquals(2, none.exit());
    assertTrue(none.err().contains("--release: give the version about to be deployed"), none.err());
    Cli.Run days = Cli.lmsctl("readiness", "--records", records.toString(), "--due-in-days", "-1");
    assertEquals(2, days.exit());
    assertTrue(days.err().contains("--due-in-days: -1 is not a number of days from 0 to 366"), days.err());

    Cli.Run r = Cli.lmsctl("readiness", "--release", "3.0.0", "--records", records.resolve("nowhere").toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--records: ") && r.err().contains("is not a directory"), r.err());
  }
}
