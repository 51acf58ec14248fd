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
import lms.rollback.plan.RunbookTables.Booking;
import lms.rollback.plan.RunbookTables.Cleanup;
import lms.rollback.plan.RunbookTables.SmokeCheck;
import lms.rollback.plan.RunbookTables.TestAccount;
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
  void aDefaultRunChangesNothing() throws Exception {
    try (LmsStandIn lms = new LmsStandIn("2.4.1")) {
      List<CheckResult> results = new SmokeSuite(new Journal(out, "qa"), CREDENTIALS, Duration.ofSeconds(2)).run(URI.create(lms.url()), PLAN.smokeChecks());

      assertTrue(results.stream().allMatch(CheckResult::passed), results.toString());
      assertEquals(List.of(), lms.bookings(), "no leave request booked");
      List<String> notGets = lms.received().stream().filter(r -> !r.method().equals("GET"))
          .map(r -> r.method() + " " + r.path() + (r.query() == null ? "" : "?" + r.query())).toList();
      assertEquals(List.of("POST /api/v1/auth/login", "POST /api/v1/leave/requests?validateOnly=true"), notGets);
    }
  }

  @Test
  void theRightStatusWithoutTheAssertedFieldFailsNamingIt() throws Exception {
    try (LmsStandIn lms = new LmsStandIn("2.4.1")) {
      SmokeCheck approvals = new SmokeCheck("Approval workflow", "GET", "/api/v1/leave/approvals", 200,
          Map.of("Authorization", "Bearer ${env:LMS_SMOKE_TOKEN}"), null, Map.of(), List.of("approvals", "escalations"), null, null);
      CheckResult r = new SmokeSuite(new Journal(out, "qa"), CREDENTIALS, Duration.ofSeconds(2)).run(URI.create(lms.url()), List.of(approvals)).get(0);

      assertEquals(CheckResult.Status.fail, r.status());
      assertEquals("HTTP 200, no escalations", r.measured());
      assertEquals("the answer has no field 'escalations'", r.detail());
      assertEquals("HTTP 200, approvals present, escalations present", r.threshold());
    }
  }

  static SmokeCheck submissionBookedAs(String account, String cleanupPath) {
    SmokeCheck validating = PLAN.smokeChecks().stream().filter(c -> c.name().equals("Leave submission")).findFirst().orElseThrow();
    Booking booking = new Booking(new TestAccount(account, Map.of("Authorization", "Bearer ${env:LMS_SMOKE_TEST_ACCOUNT_TOKEN}")), null,
        "/api/v1/leave/requests", 201, Map.of(), List.of("id"), new Cleanup("DELETE", cleanupPath, 204));
    return new SmokeCheck(validating.name(), validating.method(), validating.path(), validating.expectStatus(), validating.headers(),
        validating.body(), validating.expectFields(), validating.expectPresent(), validating.readOnly(), booking);
  }

  static final Map<String, String> WITH_TEST_ACCOUNT = Map.of("LMS_SMOKE_TOKEN", LmsStandIn.TOKEN,
      "LMS_SMOKE_TEST_ACCOUNT_TOKEN", LmsStandIn.TEST_ACCOUNT_TOKEN);

  @Test
  void withATestAccountAndACleanupTheSubmissionIsBookedAsTheTestAccountAndUndone() throws Exception {
    try (LmsStandIn lms = new LmsStandIn("2.4.1")) {
      CheckResult r = new SmokeSuite(new Journal(out, "qa"), WITH_TEST_ACCOUNT, Duration.ofSeconds(2))
          .run(URI.create(lms.url()), List.of(submissionBookedAs("qa-smoke", "/api/v1/leave/requests/${answer:id}"))).get(0);

      assertTrue(r.passed(), r.toString());
      assertEquals("booked as qa-smoke and undone", r.detail());
      assertEquals(List.of(new LmsStandIn.Booking(4711, LmsStandIn.TEST_ACCOUNT, true)), lms.bookings());
      assertEquals(List.of("POST /api/v1/leave/requests as " + LmsStandIn.TEST_ACCOUNT, "DELETE /api/v1/leave/requests/4711 as " + LmsStandIn.TEST_ACCOUNT),
          lms.received().stream().map(q -> q.method() + " " + q.path() + " as " + q.account()).toList());
    }
  }

  @Test
  void aBookingItsCleanupDidNotUndoFailsSayingSo() throws Exception {
    try (LmsStandIn lms = new LmsStandIn("2.4.1")) {
      CheckResult r = new SmokeSuite(new Journal(out, "qa"), WITH_TEST_ACCOUNT, Duration.ofSeconds(2))
          .run(URI.create(lms.url()), List.of(submissionBookedAs("qa-smoke", "/api/v1/leave/requests/x${answer:id}"))).get(0);

      assertEquals(CheckResult.Status.fail, r.status());
      assertEquals("the cleanup DELETE /api/v1/leave/requests/x4711 answered HTTP 404, not 204: undo the booking by hand", r.detail());
      assertEquals(List.of(new LmsStandIn.Booking(4711, LmsStandIn.TEST_ACCOUNT, false)), lms.bookings());
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
