package lms.rollback.gate;

import lms.rollback.audit.Event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import lms.rollback.audit.Journal;
import lms.rollback.core.ExitCode;
import lms.rollback.core.LmsException;
import lms.rollback.gate.DecisionRecorder.Decision;
import lms.rollback.gate.DecisionRecorder.Kind;
import lms.rollback.plan.Plan;
import lms.rollback.plan.PlanLoader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** §3 and §4.2 step 4: who may decide, and the two-person rule. */
class DecisionRecorderTest {

  static final Plan PLAN = new PlanLoader().loadDefault();
  static final String REASON = "error rate 3% for 20 minutes, fix needs a day";

  @TempDir Path dir;
  Journal journal;
  DecisionRecorder recorder;

  @BeforeEach
  void setUp() {
    journal = new Journal(dir, "jenkins");
    recorder = new DecisionRecorder(PLAN, journal);
  }

  static Decision approve(String trigger, String by, List<String> groups, int level) {
    return new Decision(trigger, Kind.approve, by, groups, REASON, level, "dev.smith", false, false);
  }

  static Decision database(String by, List<String> groups, String requestedBy) {
    return new Decision("MAN-004", Kind.approve, by, groups, "orphaned leave requests since 02:10", 0, requestedBy, true, false);
  }

  @Test
  void gatePlanNamesTheChainWindowsAndSubmitters() {
    GatePlan gate = new Authority(PLAN).gateFor("MAN-001", null);

    assertTrue(gate.approvalNeeded());
    assertEquals(List.of("Release Commander", "DevOps Lead", "CTO"), gate.levels().stream().map(GatePlan.Level::title).toList());
    assertEquals(Duration.ofMinutes(5), gate.levels().get(0).window());
    assertEquals(List.of("lms-release-commanders"), gate.submittersAt(0));
    assertEquals(List.of("lms-release-commanders", "lms-devops-leads", "lms-cto"), gate.submittersAt(2));
    assertNull(gate.twoPersonRule());
  }

  @Test
  void gatePlanOfAnAutomaticTriggerNeedsNoApproval() {
    assertFalse(new Authority(PLAN).gateFor("AUTO-002", null).approvalNeeded());
  }

  @Test
  void immediateDecisionUsesTheConfiguredShortWindow() {
    GatePlan gate = new Authority(PLAN).gateFor("MAN-003", null);
    assertEquals(PLAN.gate().immediateWindow().limit(), gate.levels().get(0).window());
  }

  @Test
  void businessTriggerIsDecidedByItsOwnAuthorityThenTheBusinessChain() {
    GatePlan gate = new Authority(PLAN).gateFor("BUS-002", null);
    assertEquals(List.of("Compliance Officer", "Product Owner", "Executive Sponsor"), gate.levels().stream().map(GatePlan.Level::title).toList());
  }

  @Test
  void scenarioWithADatabaseStepBringsTheTwoPersonRule() {
    assertEquals(List.of("DBA", "Release Commander"), new Authority(PLAN).gateFor("MAN-004", "C").twoPersonRule().titles());
    assertNull(new Authority(PLAN).gateFor("MAN-004", "B").twoPersonRule());
  }

  @Test
  void theRightPersonsApprovalIsJournaledWithTheirRole() {
    var outcome = recorder.record(approve("MAN-001", "rc.jones", List.of("lms-release-commanders"), 0));

    assertEquals("Release Commander", outcome.role());
    var entry = journal.read().get(0);
    assertEquals(Event.GATE_DECISION.key(), entry.type());
    assertEquals("rc.jones", entry.data().path("by").asText());
    assertEquals(REASON, entry.data().path("reason").asText());
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"rc\u200B.jones", "rc.jones\u00A0x", "r\u0441.jones", "rc jones"})
  void anIdThatCouldPassForAnotherIsRefusedWithNothingJournaled(String lookalike) {
    var e = assertThrows(lms.rollback.core.LmsException.class, () -> recorder.record(approve("MAN-001", lookalike, List.of("lms-release-commanders"), 0)));

    assertEquals(ExitCode.INVALID_INPUT, e.exitCode());
    assertTrue(e.getMessage().startsWith("--by: '") && e.getMessage().contains("is refused"), e.getMessage());
    assertEquals(List.of(), journal.read());
  }

  @Test
  void aFullwidthIdIsTheSamePersonAsItsPlainForm() {
    // the requester typing their own id in fullwidth letters is still the requester
    var e = assertThrows(lms.rollback.core.LmsException.class, () -> recorder.record(new Decision("MAN-001", Kind.approve, "\uFF44\uFF45\uFF56.smith",
        List.of("lms-release-commanders"), REASON, 0, "dev.smith", false, false)));
    assertTrue(e.getMessage().contains("requested this rollback and may not also approve it"), e.getMessage());
    assertTrue(lms.rollback.gate.Identity.same("\uFF52\uFF43.jones", "RC.Jones"));
  }

  @Test
  void aWrongApproverIsRefusedWithExitFiveAndJournaled() {
    NotAuthorizedException e = assertThrows(NotAuthorizedException.class,
        () -> recorder.record(approve("MAN-001", "mallory", List.of("lms-developers"), 0)));

    assertEquals(ExitCode.NOT_AUTHORIZED, e.exitCode());
    assertEquals("mallory may not decide MAN-001 at level 0 (Release Commander); who may: lms-release-commanders", e.getMessage());
    assertEquals(Event.GATE_REFUSED.key(), journal.read().get(0).type());
  }

  @Test
  void theBackupMayDecideOnlyOnceTheGateHasEscalated() {
    assertThrows(NotAuthorizedException.class, () -> recorder.record(approve("MAN-001", "lead.kim", List.of("lms-devops-leads"), 0)));
    // a level is reached only when the levels before it ran out
    NotAuthorizedException early = assertThrows(NotAuthorizedException.class,
        () -> recorder.record(approve("MAN-001", "lead.kim", List.of("lms-devops-leads"), 1)));
    assertTrue(early.getMessage().contains("level 1 of MAN-001 is not reached: level 0 (Release Commander) has not timed out"), early.getMessage());
    timeout("MAN-001", 0);

    var outcome = recorder.record(approve("MAN-001", "lead.kim", List.of("lms-devops-leads"), 1));
    assertEquals("DevOps Lead", outcome.role());
  }

  @Test
  void thePrimaryKeepsItsSayAfterEscalation() {
    timeout("MAN-001", 0);
    timeout("MAN-001", 1);
    assertEquals("Release Commander", recorder.record(approve("MAN-001", "rc.jones", List.of("lms-release-commanders"), 2)).role());
  }

  @Test
  void aDecisionOnceRecordedIsNotReversedByALaterOne() {
    // Given the Release Commander approved
    recorder.record(approve("MAN-001", "rc.jones", List.of("lms-release-commanders"), 0));

    // When the same gate is rejected afterwards
    NotAuthorizedException e = assertThrows(NotAuthorizedException.class, () -> recorder.record(
        new Decision("MAN-001", Kind.reject, "rc.jones", List.of("lms-release-commanders"), "changed my mind, stop it", 0, "dev.smith", false, false)));

    // Then it is refused, saying so, and the approval stands
    assertTrue(e.getMessage().startsWith("the gate of MAN-001 is already closed: approved by rc.jones"), e.getMessage());
    assertEquals(Event.GATE_REFUSED.key(), journal.read().get(journal.read().size() - 1).type());
  }

  @Test
  void aRequesterOtherThanTheRunsIsRefused() {
    // Given a run that rc.jones requested
    journal.append(Event.SCENARIO_START, java.util.Map.of("scenario", "A", "trigger", "MAN-001", "requestedBy", "rc.jones"));

    // When rc.jones approves it, claiming someone else asked
    NotAuthorizedException e = assertThrows(NotAuthorizedException.class, () -> recorder.record(approve("MAN-001", "rc.jones",
        List.of("lms-release-commanders"), 0)));

    // Then the run's own requester counts
    assertTrue(e.getMessage().contains("was requested by rc.jones, not dev.smith"), e.getMessage());
  }

  private void timeout(String trigger, int level) {
    recorder.record(new Decision(trigger, Kind.timeout, "timeout", List.of(), null, level, "dev.smith", false, false));
  }

  @Test
  void theRequesterMayNotApproveTheirOwnRollback() {
    NotAuthorizedException e = assertThrows(NotAuthorizedException.class, () -> recorder.record(
        new Decision("MAN-001", Kind.approve, "rc.jones", List.of("lms-release-commanders"), REASON, 0, "rc.jones", false, false)));

    assertTrue(e.getMessage().contains("requested this rollback and may not also approve it"), e.getMessage());
  }

  @Test
  void aShortReasonIsInvalidInputAndNothingIsJournaled() {
    LmsException e = assertThrows(LmsException.class, () -> recorder.record(
        new Decision("MAN-001", Kind.approve, "rc.jones", List.of("lms-release-commanders"), "ok go", 0, "dev.smith", false, false)));

    assertEquals(ExitCode.INVALID_INPUT, e.exitCode());
    assertEquals("--reason: at least 10 characters saying why (got 5)", e.getMessage());
    assertTrue(journal.read().isEmpty());
  }

  @Test
  void anAdministratorOutsideTheAuthorityIsRefusedUnlessThePlanAllowsOverrides() {
    Decision admin = new Decision("MAN-001", Kind.approve, "admin", List.of("jenkins-admins"), REASON, 0, "dev.smith", false, true);
    assertThrows(NotAuthorizedException.class, () -> recorder.record(admin));
  }

  @Test
  void timeoutIsJournaledWithoutAReason() {
    recorder.record(new Decision("MAN-002", Kind.timeout, "timeout", List.of(), null, 0, "dev.smith", false, false));
    assertEquals("timeout", journal.read().get(0).data().path("decision").asText());
  }

  @Test
  void anAutomaticTriggerTheEngineMeasuredToHoldTakesNoDecision() {
    journal.append(Event.TRIGGER_EVALUATED, java.util.Map.of("trigger", "AUTO-001", "state", "holds", "at", "2026-12-04T02:10:00Z",
        "detail", "held at all 31 samples (lowest 12.000)", "samples", 31));
    LmsException e = assertThrows(LmsException.class, () -> recorder.record(approve("AUTO-001", "rc.jones", List.of("lms-release-commanders"), 0)));
    assertEquals(ExitCode.INVALID_INPUT, e.exitCode());
    assertTrue(e.getMessage().contains("AUTO-001 held when the engine measured it and needs no approval"), e.getMessage());
  }

  @Test
  void anAutomaticTriggerOnlyNamedIsDecidedByTheManualAuthority() {
    journal.append(Event.TRIGGER_EVALUATED, java.util.Map.of("trigger", "AUTO-001", "state", "clear", "at", "2026-12-04T02:10:00Z",
        "detail", "not held at 29 of 31 samples (highest 0.400)", "samples", 31));
    // a developer is not the Release Commander; the System "role" of the automatic row decides nothing
    assertThrows(NotAuthorizedException.class, () -> recorder.record(approve("AUTO-001", "dev.jane", List.of("lms-developers"), 0)));

    var approved = recorder.record(approve("AUTO-001", "rc.jones", List.of("lms-release-commanders"), 0));

    assertEquals("Release Commander", approved.role());
  }

  @Test
  void databaseRollbackNeedsTheDbaAndTheReleaseCommanderAsTwoPeople() {
    var first = recorder.record(database("dba.lee", List.of("lms-dbas"), "dev.smith"));
    assertFalse(first.databaseAuthorized());

    var second = recorder.record(database("rc.jones", List.of("lms-release-commanders"), "dev.smith"));

    assertTrue(second.databaseAuthorized());
    var types = journal.read().stream().map(lms.rollback.audit.Journal.Entry::type).toList();
    // the first approval left the prompt open; the second authorized the rollback and closed it
    assertEquals(List.of(Event.GATE_DATABASE_AUTHORIZED.key(), Event.GATE_CLOSED.key()), types.subList(types.size() - 2, types.size()));
    assertEquals(1, types.stream().filter(Event.GATE_CLOSED.key()::equals).count());
  }

  @Test
  void theSamePersonInAnotherCaseOrWithSpacesIsStillOnePerson() {
    recorder.record(database("dba.lee", List.of("lms-dbas", "lms-release-commanders"), "dev.smith"));

    for (String same : List.of("DBA.LEE", " dba.lee ")) {
      NotAuthorizedException e = assertThrows(NotAuthorizedException.class,
          () -> recorder.record(database(same, List.of("lms-dbas", "lms-release-commanders"), "dev.smith")));
      assertTrue(e.getMessage().contains("already approved this database rollback"), e.getMessage());
    }
    LmsException empty = assertThrows(LmsException.class, () -> recorder.record(database("  ", List.of("lms-dbas"), "dev.smith")));
    assertEquals(ExitCode.INVALID_INPUT, empty.exitCode());
    LmsException noRequester = assertThrows(LmsException.class, () -> recorder.record(database("rc.jones", List.of("lms-release-commanders"), null)));
    assertTrue(noRequester.getMessage().startsWith("--requested-by"), noRequester.getMessage());
  }

  @Test
  void theSamePersonTwiceDoesNotMakeTwoPeople() {
    // a person who is both DBA and Release Commander
    recorder.record(database("pat", List.of("lms-dbas", "lms-release-commanders"), "dev.smith"));

    NotAuthorizedException e = assertThrows(NotAuthorizedException.class,
        () -> recorder.record(database("pat", List.of("lms-dbas", "lms-release-commanders"), "dev.smith")));

    assertTrue(e.getMessage().contains("already approved this database rollback"), e.getMessage());
    assertFalse(journal.read().stream().anyMatch(en -> en.is(Event.GATE_DATABASE_AUTHORIZED)));
  }

  @Test
  void twoDbasAreNotADbaAndAReleaseCommander() {
    recorder.record(database("dba.lee", List.of("lms-dbas"), "dev.smith"));
    var second = recorder.record(database("dba.kay", List.of("lms-dbas"), "dev.smith"));
    assertFalse(second.databaseAuthorized());
  }

  @Test
  void theRequesterMayNotAuthorizeTheDatabaseRollback() {
    assertThrows(NotAuthorizedException.class, () -> recorder.record(database("dba.lee", List.of("lms-dbas"), "dba.lee")));
  }

  @Test
  void someoneHoldingNeitherRoleCannotAuthorizeTheDatabaseRollback() {
    NotAuthorizedException e = assertThrows(NotAuthorizedException.class,
        () -> recorder.record(database("lead.kim", List.of("lms-devops-leads"), "dev.smith")));
    assertTrue(e.getMessage().contains("needs DBA and Release Commander; lead.kim holds neither"), e.getMessage());
  }
}
