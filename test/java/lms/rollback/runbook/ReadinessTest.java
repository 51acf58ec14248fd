package lms.rollback.runbook;

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

  /** A completed rehearsal run as the engine journals it, ended {@code ago}. */
  private Path rehearsal(String folder, String scenario, String environment, String release, Duration ago) {
    Path dir = records.resolve(folder);
    Journal j = new Journal(dir, "timer", Clock.fixed(Instant.now().minus(ago), ZoneOffset.UTC));
    j.append("scenario.start", Map.of("scenario", scenario, "environment", environment, "trigger", "MAN-004", "rehearsal", true, "release", release));
    j.append("scenario.end", Map.of("scenario", scenario, "state", "completed"));
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
      Cli.Run run = Cli.lmsctl("rollback", "--scenario", "A", "--env", "staging", "--trigger", "MAN-004", "--rehearsal", "--kubeconfig",
          kubeconfig.toString(), "--out-dir", records.resolve("build-7").toString(), "--cluster-only", "--lock-wait", "5s", "--actor", "timer");
      assertEquals(0, run.exit(), run.out() + run.err());
    }
    // the monthly full rollback of the previous release, and last quarter's restore
    rehearsal("build-5", "C", "staging", "2.9.0", Duration.ofDays(10));
    rehearsal("build-2", "D", "staging", "2.8.0", Duration.ofDays(40));
  }

  @Test
  void aReleaseWhoseTestsAreFreshIsReady() throws Exception {
    Cli.Run r = readiness("3.0.0");

    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(JSON.readTree(r.out()).path("ready").asBoolean());
    assertEquals("ready", test(r, "traffic-switch").path("state").asText());
    assertEquals("3.0.0", test(r, "traffic-switch").path("release").asText(), "the sandbox rehearsal recorded what it tested");
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
    rehearsal("build-1", "D", "staging", "2.7.0", Duration.ofDays(100));
    Path edited = records.resolve("build-2").resolve(Journal.FILE_NAME);
    Files.writeString(edited, Files.readString(edited).replace("2.8.0", "2.9.9"));

    Cli.Run r = readiness("3.0.0");

    assertEquals(4, r.exit());
    assertEquals("missing", test(r, "backup-restore").path("state").asText());
    assertTrue(test(r, "backup-restore").path("why").asText().contains("older than 92 days"), r.out());
    assertTrue(JSON.readTree(r.out()).path("ignored").toString().contains("build-2"), r.out());
  }

  @Test
  void badInputChangesNothingAndSaysWhatIsAllowed() {
    Cli.Run r = Cli.lmsctl("readiness", "--release", "3.0.0", "--records", records.resolve("nowhere").toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--records: ") && r.err().contains("is not a directory"), r.err());
  }
}
