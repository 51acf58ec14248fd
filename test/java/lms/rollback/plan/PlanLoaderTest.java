package lms.rollback.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import lms.rollback.core.ExitCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanLoaderTest {

  static String defaultYaml() throws IOException {
    try (InputStream in = PlanLoader.class.getClassLoader().getResourceAsStream(PlanLoader.DEFAULT_RESOURCE)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static PlanException refused(String yaml) {
    return assertThrows(PlanException.class, () -> new PlanLoader().parse(yaml.getBytes(StandardCharsets.UTF_8), "my-plan.yaml"));
  }

  private static String replaceOnce(String text, String from, String to) {
    assertTrue(text.contains(from), "fixture text not found: " + from);
    return text.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to));
  }

  @Test
  void builtInPlanEncodesTheWholeRunbook() {
    Plan plan = new PlanLoader().loadDefault();

    assertEquals("LMS-PHASE29-ROLLBACK-001", plan.document());
    assertEquals(Duration.ofMinutes(15), plan.targetTime().limit());
    assertEquals(16, plan.triggers().size(), "AUTO-001..004, MAN-001..008, BUS-001..004");
    assertFalse(plan.trigger("AUTO-001").needsApproval());
    assertEquals(Duration.ofMinutes(5), plan.trigger("MAN-001").decisionTime().resolve(plan.gate()));
    assertEquals(plan.gate().immediateWindow().limit(), plan.trigger("MAN-003").decisionTime().resolve(plan.gate()));
    assertEquals("compliance-officer", plan.trigger("BUS-002").authority());
    assertEquals("release-commander", plan.authorityMatrix().get(TriggerType.TECHNICAL).primary());
    assertEquals("cto", plan.authorityMatrix().get(TriggerType.SECURITY).escalation());
    assertEquals(5, plan.contactChain().size());
    assertEquals(4, plan.preRollbackChecklist().items().size());
    assertEquals(java.util.Set.of("A", "B", "C", "D"), plan.scenarios().keySet());
    assertEquals(Duration.ofMinutes(2), plan.scenario("B").budgetOf(StepAction.STOP_GREEN).limit());
    Budget restore = plan.scenario("D").budgetOf(StepAction.RESTORE_DATABASE);
    assertEquals(Duration.ofMinutes(20), restore.expected());
    assertEquals(Duration.ofMinutes(40), restore.limit());
    // the six of §6.1, scenario D's escalation to the executives and the war room, and the war room told when a
    // rollback was asked for but not authorized, the status page told the end, and §2.1's alert of an automatic trigger from the watch (2 before
    // its rollback, 3 when that did not complete, 2 when it could not start), an unfinished run closed as abandoned, the DBA told to
    // pause transactions (2), and a manual trigger the watch measured, alerted and escalated (2 each)
    assertEquals(27, plan.communications().size(), "§6.1 and the plan's own: rejected, interrupted, abandoned, escalation, watch alerts, a rehearsal not run");
    assertEquals(2, plan.communications().stream().filter(c -> c.after().equals("auto-blocked")).count());
    assertEquals(2, plan.communications().stream().filter(c -> c.after().equals("manual-trigger")).count());
    assertEquals(2, plan.communications().stream().filter(c -> c.after().equals("manual-trigger-overdue")).count());
    assertEquals(2, plan.communications().stream().filter(c -> c.after().equals("pause-transactions")).count());
    assertEquals(2, plan.communications().stream().filter(c -> c.after().equals("auto-trigger")).count());
    assertEquals(3, plan.communications().stream().filter(c -> c.after().equals("auto-not-completed")).count());
    assertEquals("status-page-end", plan.communications().get(6).message());
    assertEquals("executive-escalation", plan.communications().get(7).to());
    assertEquals("rejected", plan.communications().get(9).after());
    assertEquals(9, plan.rehearsalChecklist().size(), "§9.2's five, and scenario D's own: its target, restore, verification, maintenance off");
    assertEquals(5, plan.rootCauseAnalysis().size());
    assertEquals(7, plan.smokeChecks().size());
    assertEquals("Traffic switch + data review", plan.capabilityWindow(Duration.ofHours(5)).method());
    assertEquals("Full redeployment + data migration", plan.capabilityWindow(Duration.ofDays(3)).method());
  }

  @Test
  void everyScenarioFitsItsTargetWhenEachStepKeepsItsBudget() {
    Plan plan = new PlanLoader().loadDefault();
    plan.scenarios().forEach((name, s) -> {
      Duration sum = s.steps().stream().map(st -> st.budget().expected()).reduce(Duration.ZERO, Duration::plus);
      assertTrue(sum.compareTo(s.target().limit()) <= 0, "scenario " + name + " steps add up to " + sum);
    });
  }

  @Test
  void unknownKeyIsNamedWithItsPathAndTheAllowedKeys() throws IOException {
    PlanException e = refused(replaceOnce(defaultYaml(), "    namespace: production", "    nmespace: production"));

    assertEquals(ExitCode.INVALID_INPUT, e.exitCode());
    assertTrue(e.getMessage().startsWith("my-plan.yaml: environments.production.nmespace: unknown field"), e.getMessage());
    assertTrue(e.getMessage().contains("namespace") && e.getMessage().contains("virtualService"), e.getMessage());
  }

  @Test
  void missingFieldIsNamed() throws IOException {
    PlanException e = refused(replaceOnce(defaultYaml(), "    virtualService: lms-vs\n", ""));

    assertEquals("my-plan.yaml: environments.production.virtualService: missing required field", e.getMessage());
  }

  @Test
  void theBuiltInPlanSetsBluesMinimumPerEnvironment() {
    Plan plan = new PlanLoader().loadDefault();

    assertEquals(3, plan.environment("production").minBlueReadyReplicas());
    assertEquals(1, plan.environment("staging").minBlueReadyReplicas());
    assertEquals(1, plan.environment("dr").minBlueReadyReplicas());
  }

  @Test
  void minBlueReadyReplicasMustBeAPositiveWholeNumber() throws IOException {
    String at = "    minBlueReadyReplicas: 3\n";
    assertEquals("my-plan.yaml: environments.production.minBlueReadyReplicas: 0 is too small; allowed: a whole number of 1 or more (omit it to need only"
        + " as many as Green serves with)", refused(replaceOnce(defaultYaml(), at, "    minBlueReadyReplicas: 0\n")).getMessage());
    assertTrue(refused(replaceOnce(defaultYaml(), at, "    minBlueReadyReplicas: -2\n")).getMessage()
        .startsWith("my-plan.yaml: environments.production.minBlueReadyReplicas: -2 is too small; allowed: a whole number of 1 or more"));
    for (String notWhole : new String[] {"three", "2.5"}) {
      PlanException e = refused(replaceOnce(defaultYaml(), at, "    minBlueReadyReplicas: " + notWhole + "\n"));
      assertTrue(e.getMessage().startsWith("my-plan.yaml: environments.production.minBlueReadyReplicas: "), e.getMessage());
      assertTrue(e.getMessage().contains("whole number"), e.getMessage());
    }
  }

  @Test
  void routeNamespacesDefaultToTheEnvironmentsAndMustBeNamespaceNames() throws IOException {
    assertEquals(java.util.List.of("production"), new PlanLoader().loadDefault().environment("production").routeNamespaces());
    String at = "    routeNamespaces: [production]\n";
    PlanException bad = refused(replaceOnce(defaultYaml(), at, "    routeNamespaces: [production, Reporting_NS]\n"));
    assertTrue(bad.getMessage().contains("environments.production.routeNamespaces[1]: 'Reporting_NS' is not a namespace name; allowed: lower-case"),
        bad.getMessage());
    PlanException empty = refused(replaceOnce(defaultYaml(), at, "    routeNamespaces: []\n"));
    assertTrue(empty.getMessage().contains("environments.production.routeNamespaces: is empty; allowed: a list of one or more namespace names"),
        empty.getMessage());
  }

  @Test
  void aMessagesRecipientIsARoleOrPagedForTheTrigger() throws IOException {
    Plan plan = new PlanLoader().loadDefault();
    assertEquals("paged", plan.communications().stream().filter(c -> c.message().equals("on-call-alert")).findFirst().orElseThrow().to());
    assertEquals(java.util.List.of("devops-on-call", "release-commander", "dba-on-call"), plan.alertedRoles("AUTO-003", null));
    assertEquals(java.util.List.of("devops-on-call"), plan.alertedRoles(null, null), "no trigger journaled: the automatic backup still hears");

    PlanException e = refused(replaceOnce(defaultYaml(), "template: war-room-trigger-alert, to: paged }", "template: war-room-trigger-alert, to: dba-oncall }"));
    assertTrue(e.getMessage().contains(".to: unknown role 'dba-oncall'; allowed: paged (whom §3.3 pages for the trigger), business-owner, cio-cto"),
        e.getMessage());
  }

  @Test
  void weightOutsideZeroToHundredIsRefused() throws IOException {
    PlanException e = refused(replaceOnce(defaultYaml(), "rollbackWeights: { blue: 100, green: 0 }", "rollbackWeights: { blue: 120, green: 0 }"));

    assertEquals("my-plan.yaml: environments.production.rollbackWeights.blue: 120 is outside the allowed range 0-100", e.getMessage());
  }

  @Test
  void aPlanThatWouldQuietlyDisableACheckOrCrashTheWatchIsRefusedNamingTheField() throws IOException {
    String yaml = defaultYaml();
    // an empty query: AUTO-001 could never be measured, and would stay "unknown" while Green errs
    PlanException empty = refused(replaceOnce(yaml, "    errorRatePercent: '100 * (sum(rate(http_requests_total{service=\"$service\",code=~\"5..\"}[$rate])) or vector(0)) / sum(rate(http_requests_total{service=\"$service\"}[$rate]))'",
        "    errorRatePercent: ''"));
    assertTrue(empty.getMessage().contains("verification.queries.errorRatePercent") && empty.getMessage().contains("allowed: a PromQL expression"), empty.getMessage());
    for (String[] c : new String[][] {
        {"  evaluationStep: 10s ", "  evaluationStep: 0s ", "verification.evaluationStep"},
        {"  requestTimeout: 5s", "  requestTimeout: 0s", "verification.requestTimeout"},
        {"  immediateWindow: 2m ", "  immediateWindow: 0s ", "gate.immediateWindow"},
        {"{ action: announce,        title: \"Announce rollback\",      budget: 30s }", "{ action: announce,        title: \"Announce rollback\",      budget: 0s }",
            "scenarios.A.steps[0].budget"},
        {"errorLogPattern: '\\b(ERROR|FATAL)\\b'", "errorLogPattern: '(ERROR'", "verification.errorLogPattern"}}) {
      PlanException e = refused(replaceOnce(yaml, c[0], c[1]));
      assertTrue(e.getMessage().contains(c[2]) && e.getMessage().contains("allowed:"), c[2] + ": " + e.getMessage());
    }
  }

  @Test
  void aTimeZoneThatIsNoZoneIsRefusedNamingTheAllowedForms() throws IOException {
    PlanException e = refused(replaceOnce(defaultYaml(), "timeZone: UTC", "timeZone: Mars/Olympus"));

    assertEquals("my-plan.yaml: timeZone: 'Mars/Olympus' is not a time zone; allowed: a region id such as Europe/Berlin or America/New_York, "
        + "or UTC", e.getMessage());
  }

  @Test
  void timesReadInThePlansZoneToTheSecondWithTheZoneNamed() throws IOException {
    Plan berlin = new PlanLoader().parse(replaceOnce(defaultYaml(), "timeZone: UTC", "timeZone: Europe/Berlin").getBytes(StandardCharsets.UTF_8),
        "my-plan.yaml");
    java.time.Instant winter = java.time.Instant.parse("2026-12-03T01:15:07.123456Z");
    java.time.Instant summer = java.time.Instant.parse("2026-07-03T01:15:07Z");

    assertEquals("2026-12-03 02:15:07 CET", berlin.time().stamp(winter));
    assertEquals("2026-07-03 03:15:07 CEST", berlin.time().stamp(summer));
    assertEquals("2026-12-03 01:15:07 UTC", new PlanLoader().parse(defaultYaml().getBytes(StandardCharsets.UTF_8), "my-plan.yaml").time().stamp(winter));
  }

  @Test
  void aDecidingRoleThatNamesNobodyIsRefused() throws IOException {
    PlanException e = refused(replaceOnce(defaultYaml(), "dba:                  { title: DBA,                  jenkins: [lms-dbas],",
        "dba:                  { title: DBA,                  jenkins: [],"));

    assertTrue(e.getMessage().contains("role 'dba' names nobody (roles.dba.jenkins is empty)"), e.getMessage());
  }

  @Test
  void anObservationWindowThatDoesNotFitItsVerifyStepIsRefused() throws IOException {
    // the runbook's own "monitor for the next 3 minutes" against the scenarios' 2-minute "Verify Blue health"
    PlanException e = refused(replaceOnce(defaultYaml(), "observationWindow: 90s", "observationWindow: 3m"));

    assertTrue(e.getMessage().contains("verification.observationWindow: 3m does not fit scenario A's verify-blue budget of 2m; allowed: less than 2m"),
        e.getMessage());
  }

  @Test
  void aRepeatedKeyIsRefusedNotSilentlyWonByTheLastOne() throws IOException {
    PlanException e = refused(replaceOnce(defaultYaml(), "allowAdministratorOverride: false",
        "allowAdministratorOverride: false\n  allowAdministratorOverride: true"));

    assertTrue(e.getMessage().contains("Duplicate field 'allowAdministratorOverride'"), e.getMessage());
    assertTrue(e.getMessage().matches("(?s).*line \\d+.*"), e.getMessage());
  }

  @Test
  void weightsThatDoNotAddUpAreRefused() throws IOException {
    PlanException e = refused(replaceOnce(defaultYaml(), "rollbackWeights: { blue: 100, green: 0 }", "rollbackWeights: { blue: 90, green: 0 }"));

    assertTrue(e.getMessage().contains("environments.production.rollbackWeights: blue + green must be 100, is 90"), e.getMessage());
  }

  @Test
  void budgetThatDoesNotParseIsRefusedWithTheAllowedForms() throws IOException {
    PlanException e = refused(replaceOnce(defaultYaml(), "title: \"Execute traffic switch\", budget: 2m", "title: \"Execute traffic switch\", budget: two minutes"));

    assertTrue(e.getMessage().startsWith("my-plan.yaml: scenarios.A.steps[1].budget: 'two minutes' is not a duration"), e.getMessage());
    assertTrue(e.getMessage().contains("30s, 2m, 1h30m"), e.getMessage());
  }

  static final String GREEN_CHECK = "- { name: \"Green receives no requests (req/s)\", query: requestRate,      on: green, comparison: equals, threshold: 0, unit: req/s }";

  @Test
  void verifyBluesPrometheusChecksAreTheBuiltInPlansList() {
    var checks = new PlanLoader().loadDefault().verification().checks();

    assertEquals(java.util.List.of("Blue error rate (%)", "Blue p95 latency (s)", "Green receives no requests (req/s)"),
        checks.stream().map(RunbookTables.MetricCheck::name).toList());
    assertEquals("<= 1 %", checks.get(0).describe());
    assertEquals(RunbookTables.NoData.INCONCLUSIVE, checks.get(0).noData(), "no number is no evidence unless the plan says otherwise");
    assertTrue(checks.get(2).holds(0) && !checks.get(2).holds(0.2));
  }

  @Test
  void aCheckAddedToThePlanIsReadAsData() throws IOException {
    String added = GREEN_CHECK + "\n    - { name: \"Blue database connection failures (%)\", query: dbFailurePercent, on: blue, comparison: below, threshold: 0.5, "
        + "unit: \"%\", noData: pass }";

    var checks = new PlanLoader().parse(replaceOnce(defaultYaml(), GREEN_CHECK, added).getBytes(StandardCharsets.UTF_8), "my-plan.yaml")
        .verification().checks();

    RunbookTables.MetricCheck db = checks.get(3);
    assertEquals("dbFailurePercent", db.query());
    assertEquals(RunbookTables.CheckedSide.BLUE, db.on());
    assertEquals(RunbookTables.NoData.PASS, db.noData());
    assertEquals("< 0.5 %", db.describe());
    assertTrue(db.holds(0.4) && !db.holds(0.5));
  }

  @Test
  void aCheckThatCouldNotBeMadeIsRefusedNamingTheFieldAndTheAllowedValues() throws IOException {
    String yaml = defaultYaml();
    for (String[] c : new String[][] {
        {"query: requestRate,      on: green", "query: greenRequests,      on: green", "verification.checks[2].query: unknown query 'greenRequests'; allowed: "
            + "criticalSecurityAlerts, dbFailurePercent, errorRatePercent, p95Seconds, requestRate, successRatePercent"},
        {"on: green, comparison: equals", "on: amber, comparison: equals", "verification.checks[2].on: 'amber' is not allowed; allowed: blue, green"},
        {"comparison: equals, threshold: 0", "comparison: '==', threshold: 0", "verification.checks[2].comparison: '==' is not allowed; allowed: atMost, below, "
            + "atLeast, above, equals"},
        {"unit: req/s }", "unit: req/s, noData: zero }", "verification.checks[2].noData: 'zero' is not allowed; allowed: pass, fail, inconclusive"},
        {"comparison: equals, threshold: 0, unit: req/s", "comparison: equals, unit: req/s", "verification.checks[2].threshold: missing required field"},
        {"name: \"Green receives no requests (req/s)\"", "name: \"Blue error rate (%)\"", "verification.checks[2].name: 'Blue error rate (%)' appears "
            + "twice; allowed: a name no other check has"}}) {
      PlanException e = refused(replaceOnce(yaml, c[0], c[1]));
      assertEquals("my-plan.yaml: " + c[2], e.getMessage());
    }
  }

  @Test
  void unknownEnumValueListsTheAllowedOnes() throws IOException {
    PlanException e = refused(replaceOnce(defaultYaml(), "{ id: AUTO-001, type: automatic", "{ id: AUTO-001, type: automatik"));

    assertTrue(e.getMessage().startsWith("my-plan.yaml: triggers[0].type: 'automatik' is not allowed; allowed: automatic, technical, business, security"),
        e.getMessage());
  }

  @Test
  void unknownStepActionListsTheAllowedOnes() throws IOException {
    PlanException e = refused(replaceOnce(defaultYaml(), "{ action: confirm,", "{ action: celebrate,"));

    assertTrue(e.getMessage().contains("scenarios.A.steps[3].action: 'celebrate' is not allowed; allowed: announce, switch-traffic"), e.getMessage());
  }

  @Test
  void referenceToAnUnknownRoleIsRefused() throws IOException {
    PlanException e = refused(replaceOnce(defaultYaml(), "authority: hr-director", "authority: hr-directr"));

    assertTrue(e.getMessage().contains("triggers[14].authority: unknown role 'hr-directr'; allowed: business-owner"), e.getMessage());
  }

  static final String SUBMISSION = "readOnly: \"validateOnly=true checks the request as a booking would and stores nothing\",";

  @Test
  void aSmokeCheckThatMayChangeProductionMustSayWhyItDoesNot() throws IOException {
    PlanException e = refused(replaceOnce(defaultYaml(), SUBMISSION, ""));

    assertTrue(e.getMessage().contains("smokeChecks[2].readOnly: 'Leave submission' is a POST, which may change production; allowed: readOnly: "
        + "\"why this request changes nothing\""), e.getMessage());
  }

  @Test
  void aSmokeCheckJudgedOnItsStatusOnlyIsRefused() throws IOException {
    PlanException e = refused(replaceOnce(defaultYaml(), "expectStatus: 200, expectPresent: [widgets],", "expectStatus: 200,"));

    assertTrue(e.getMessage().contains("smokeChecks[4].expectPresent: 'Dashboard loading' would be judged on its status only; allowed: expectPresent"),
        e.getMessage());
  }

  @Test
  void aSmokeCheckMethodOutsideHttpsIsRefusedListingTheAllowedOnes() throws IOException {
    PlanException e = refused(replaceOnce(defaultYaml(), "method: GET, path: /api/v1/dashboard", "method: FETCH, path: /api/v1/dashboard"));

    assertTrue(e.getMessage().contains("smokeChecks[4].method: 'FETCH' is not allowed; allowed: GET, HEAD, POST, PUT, PATCH, DELETE"), e.getMessage());
  }

  static final String ACCOUNT = "testAccount: { name: qa-smoke, headers: { Authorization: \"Bearer ${env:LMS_SMOKE_TEST_ACCOUNT_TOKEN}\" } }";

  @Test
  void aBookingWithoutACleanupIsRefused() throws IOException {
    PlanException e = refused(replaceOnce(defaultYaml(), SUBMISSION, SUBMISSION + " booking: { " + ACCOUNT
        + ", path: /api/v1/leave/requests, expectStatus: 201, expectPresent: [id] },"));

    assertTrue(e.getMessage().contains("smokeChecks[2].booking.cleanup: missing; a booking in production is made only when it is undone again"),
        e.getMessage());
  }

  @Test
  void aBookingWithoutATestAccountIsRefused() throws IOException {
    PlanException e = refused(replaceOnce(defaultYaml(), SUBMISSION, SUBMISSION + " booking: { path: /api/v1/leave/requests, expectStatus: 201,"
        + " expectPresent: [id], cleanup: { method: DELETE, path: \"/api/v1/leave/requests/${answer:id}\", expectStatus: 204 } },"));

    assertTrue(e.getMessage().contains("smokeChecks[2].booking.testAccount: missing; a booking in production is made only as a test account"),
        e.getMessage());
  }

  @Test
  void aCleanupNamingAFieldTheBookingDoesNotAssertIsRefused() throws IOException {
    PlanException e = refused(replaceOnce(defaultYaml(), SUBMISSION, SUBMISSION + " booking: { " + ACCOUNT + ", path: /api/v1/leave/requests,"
        + " expectStatus: 201, expectPresent: [id], cleanup: { method: DELETE, path: \"/api/v1/leave/requests/${answer:requestId}\", expectStatus: 204 } },"));

    assertTrue(e.getMessage().contains("smokeChecks[2].booking.cleanup.path: ${answer:requestId} is not a field the booking asserts; allowed: ${answer:id}"),
        e.getMessage());
  }

  @Test
  void aCompleteBookingIsRead() throws IOException {
    Plan plan = new PlanLoader().parse(replaceOnce(defaultYaml(), SUBMISSION, SUBMISSION + " booking: { " + ACCOUNT + ", path: /api/v1/leave/requests,"
        + " expectStatus: 201, expectPresent: [id], cleanup: { method: DELETE, path: \"/api/v1/leave/requests/${answer:id}\", expectStatus: 204 } },")
        .getBytes(StandardCharsets.UTF_8), "my-plan.yaml");

    RunbookTables.Booking booking = plan.smokeChecks().get(2).booking();
    assertEquals("qa-smoke", booking.testAccount().name());
    assertEquals("/api/v1/leave/requests/${answer:id}", booking.cleanup().path());
  }

  static final String BUS_004_UP = "authority: cio-cto,            decisionTime: immediate,\n      escalation: [] }";
  static final String RANKED = "minReasonLength: 10\n  authorityOrder: [business-owner, product-owner, executive-sponsor, cio-cto]";

  @Test
  void theCioCtoDecideBus004AndNobodyBelowThemTakesItOver() {
    Plan plan = new PlanLoader().loadDefault();

    assertEquals(java.util.List.of("cio-cto"), plan.trigger("BUS-004").deciders(plan.authorityMatrix().get(TriggerType.BUSINESS), TriggerType.BUSINESS));
    assertEquals(java.util.List.of("hr-director", "product-owner", "executive-sponsor"),
        plan.trigger("BUS-003").deciders(plan.authorityMatrix().get(TriggerType.BUSINESS), TriggerType.BUSINESS), "the others keep their row");
  }

  @Test
  void withARankingAGateThatEscalatesDownIsRefused() throws IOException {
    String ranked = replaceOnce(defaultYaml(), "minReasonLength: 10", RANKED);
    PlanException e = refused(replaceOnce(ranked, BUS_004_UP, "authority: cio-cto,            decisionTime: immediate }"));

    assertTrue(e.getMessage().contains("triggers[15].escalation: BUS-004 would escalate from 'cio-cto' down to 'product-owner' (gate.authorityOrder; "
        + "its type's row of authorityMatrix); allowed: escalation: [roles above 'cio-cto': none (nobody ranks above it)], or escalation: [] when "
        + "nobody is above it"), e.getMessage());
    assertEquals(java.util.List.of("cio-cto"), new PlanLoader().parse(ranked.getBytes(StandardCharsets.UTF_8), "my-plan.yaml")
        .trigger("BUS-004").deciders(new PlanLoader().loadDefault().authorityMatrix().get(TriggerType.BUSINESS), TriggerType.BUSINESS),
        "escalating to nobody passes the ranking");
  }

  @Test
  void withARankingAMatrixRowThatEscalatesDownIsRefused() throws IOException {
    PlanException e = refused(replaceOnce(defaultYaml(), "minReasonLength: 10",
        "minReasonLength: 10\n  authorityOrder: [product-owner, executive-sponsor, business-owner, cio-cto]"));

    assertTrue(e.getMessage().contains("authorityMatrix.business.backup: 'product-owner' ranks below 'business-owner' in gate.authorityOrder, so the "
        + "gate would escalate down; allowed: cio-cto"), e.getMessage());
  }

  @Test
  void anEscalationOfATriggerWithoutItsOwnAuthorityIsRefused() throws IOException {
    PlanException e = refused(replaceOnce(defaultYaml(), "decisionTime: 15m }", "decisionTime: 15m, escalation: [cto] }"));

    assertTrue(e.getMessage().contains("triggers[10].escalation: MAN-007 names no authority of its own; allowed: escalation only with authority"),
        e.getMessage());
  }

  @Test
  void duplicateTriggerIdIsRefused() throws IOException {
    PlanException e = refused(replaceOnce(defaultYaml(), "{ id: MAN-002,", "{ id: MAN-001,"));

    assertTrue(e.getMessage().contains("triggers[5].id: 'MAN-001' appears twice"), e.getMessage());
  }

  @Test
  void brokenYamlNamesTheLine() {
    PlanException e = refused("document: x\nenvironments:\n  production: {namespace: x\n");

    assertTrue(e.getMessage().startsWith("my-plan.yaml: line "), e.getMessage());
  }

  @Test
  void planFileThatDoesNotExistIsNamed(@TempDir Path dir) {
    Path missing = dir.resolve("nope.yaml");
    PlanException e = assertThrows(PlanException.class, () -> new PlanLoader().load(missing));

    assertEquals(missing + ": no such file", e.getMessage());
  }

  @Test
  void userPlanFromAFileIsUsed(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("plan.yaml");
    Files.writeString(file, replaceOnce(defaultYaml(), "virtualService: lms-vs", "virtualService: lms-routes"));

    assertEquals("lms-routes", new PlanLoader().load(file).environment("production").virtualService());
  }

  @Test
  void aRehearsalMustNameAKnownScenarioAndASafeName() throws IOException {
    PlanException scenario = refused(replaceOnce(defaultYaml(), "scenarios: [D],       withinDays: 92", "scenarios: [E],       withinDays: 92"));
    assertTrue(scenario.getMessage().contains("rehearsals[3].scenarios: unknown scenario 'E'; allowed: A, B, C, D"), scenario.getMessage());
    PlanException name = refused(replaceOnce(defaultYaml(), "{ test: backup-restore,", "{ test: ../restore,"));
    assertTrue(name.getMessage().contains("rehearsals[3].test: '../restore' is not a name like full-rollback"), name.getMessage());
  }

  @Test
  void aRehearsalSendsOnlyWhereThePlanSaysAndTheBuiltInPlanSendsNoStatusPageNorMail() throws IOException {
    Plan plan = new PlanLoader().loadDefault();
    assertEquals(null, plan.rehearsalAddressEnv("status-page"));
    assertEquals(null, plan.rehearsalAddressEnv("email"));
    assertEquals("LMS_WAR_ROOM_WEBHOOK", plan.rehearsalAddressEnv("war-room"));

    PlanException channel = refused(replaceOnce(defaultYaml(), "  status-page: none ", "  status-pages: none "));
    assertTrue(channel.getMessage().contains("rehearsalChannels.status-pages: unknown channel 'status-pages'; allowed: email, status-page, war-room"),
        channel.getMessage());
    PlanException address = refused(replaceOnce(defaultYaml(), "  email:       none ", "  email:       ops@company.com "));
    assertTrue(address.getMessage().contains("rehearsalChannels.email: 'ops@company.com' is not allowed; allowed: none (a rehearsal sends nothing there), "
        + "or the name of the environment variable holding the channel's address for a rehearsal, such as LMS_REHEARSAL_EMAIL"), address.getMessage());
  }

  @Test
  void aScorecardItemMeasuresWhatTheEngineScoresOncePerScenario() throws IOException {
    PlanException measure = refused(replaceOnce(defaultYaml(), "measure: smoke-checks }", "measure: smoke }"));
    assertTrue(measure.getMessage().contains("rehearsalChecklist[5].measure: unknown measure 'smoke'; allowed: switch-duration, blue-checks"),
        measure.getMessage());
    PlanException twice = refused(replaceOnce(defaultYaml(), "limit: 15m, scenarios: [A, B, C] }", "limit: 15m }"));
    assertTrue(twice.getMessage().contains("rehearsalChecklist[4].id: #4 is on scenario D's scorecard twice"), twice.getMessage());
    PlanException scenario = refused(replaceOnce(defaultYaml(), "measure: maintenance-off, scenarios: [D] }", "measure: maintenance-off, scenarios: [E] }"));
    assertTrue(scenario.getMessage().contains("rehearsalChecklist[8].scenarios: unknown scenario 'E'; allowed: A, B, C, D"), scenario.getMessage());
    PlanException limit = refused(replaceOnce(defaultYaml(), "measure: switch-duration, limit: 1m }", "measure: switch-duration }"));
    assertTrue(limit.getMessage().contains("rehearsalChecklist[0].limit: measure switch-duration is a time and needs a limit"), limit.getMessage());
  }

  @Test
  void unknownEnvironmentListsTheKnownOnes() {
    PlanException e = assertThrows(PlanException.class, () -> new PlanLoader().loadDefault().environment("prod"));

    assertEquals("--env: unknown environment 'prod'; allowed: dr, production, staging", e.getMessage());
  }

  @Test
  void budgetsParseInThePlansOwnForms() {
    assertEquals(Duration.ofSeconds(30), Budget.parse("30s").limit());
    assertEquals(Duration.ofMinutes(90), Budget.parse("1h30m").limit());
    assertEquals("1m30s", Budget.format(Duration.ofSeconds(90)));
    assertThrows(IllegalArgumentException.class, () -> Budget.parse("40m-20m"));
    assertThrows(IllegalArgumentException.class, () -> Budget.parse("5"));
    assertThrows(IllegalArgumentException.class, () -> Budget.parse(""));
  }
}
