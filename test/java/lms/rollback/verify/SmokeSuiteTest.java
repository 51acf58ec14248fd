package lms.rollback.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import lms.rollback.audit.Journal;
import lms.rollback.plan.Plan;
import lms.rollback.plan.PlanLoader;
import lms.rollback.plan.Runbook.SmokeCheck;
import lms.rollback.sandbox.LmsStandIn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** §4.2 step 5 against the LMS stand-in. */
class SmokeSuiteTest {

  static final Plan PLAN = new PlanLoader().loadDefault();
  static final Map<String, String> CREDENTIALS = Map.of("LMS_SMOKE_USER", "qa.bot", "LMS_SMOKE_PASSWORD", "hunter2-secret",
      "LMS_SMOKE_TOKEN", LmsStandIn.TOKEN);

  @TempDir Path out;

  @Test
  void allFiveJourneysAndTheCriticalEndpointsPass() throws Exception {
    try (LmsStandIn lms = new LmsStandIn("2.4.1")) {
      Journal journal = new Journal(out, "qa");
      List<CheckResult> results = new SmokeSuite(journal, CREDENTIALS, Duration.ofSeconds(2)).run(URI.create(lms.url()), PLAN.smokeChecks());

      assertEquals(7, results.size());
      assertTrue(results.stream().allMatch(CheckResult::passed), results.toString());
      String journaled = Files.readString(journal.file());
      assertFalse(journaled.contains("hunter2-secret") || journaled.contains(LmsStandIn.TOKEN), "credentials never reach the journal");
    }
  }

  @Test
  void aMissingCredentialMakesItsChecksInconclusive() throws Exception {
    try (LmsStandIn lms = new LmsStandIn("2.4.1")) {
      List<CheckResult> results = new SmokeSuite(new Journal(out, "qa"), Map.of(), Duration.ofSeconds(2)).run(URI.create(lms.url()), PLAN.smokeChecks());

      CheckResult login = results.get(0);
      assertEquals(CheckResult.Status.inconclusive, login.status());
      assertEquals("LMS_SMOKE_USER is not set", login.detail());
      assertTrue(results.get(5).passed(), "the unauthenticated critical endpoints still run");
    }
  }

  @Test
  void aBrokenJourneyFailsWithWhatItGot() throws Exception {
    try (LmsStandIn lms = new LmsStandIn("2.4.1").databaseUp(false)) {
      List<CheckResult> results = new SmokeSuite(new Journal(out, "qa"), CREDENTIALS, Duration.ofSeconds(2)).run(URI.create(lms.url()), PLAN.smokeChecks());

      CheckResult submission = results.stream().filter(r -> r.name().startsWith("Leave submission")).findFirst().orElseThrow();
      assertEquals(CheckResult.Status.fail, submission.status());
      assertEquals("HTTP 503", submission.measured());
    }
  }

  @Test
  void aUserCheckWithJsonFieldsIsAsserted() throws Exception {
    try (LmsStandIn lms = new LmsStandIn("2.4.1")) {
      SmokeCheck versionIs = new SmokeCheck("Version", "GET", "/api/health", 200, Map.of(), null, Map.of("version", "9.9.9"));
      CheckResult r = new SmokeSuite(new Journal(out, "qa"), Map.of(), Duration.ofSeconds(2)).run(URI.create(lms.url()), List.of(versionIs)).get(0);
      assertEquals(CheckResult.Status.fail, r.status());
      assertEquals("version=2.4.1", r.measured());
    }
  }
}
