package lms.rollback.pipeline

import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test

import static org.junit.jupiter.api.Assertions.assertEquals
import static org.junit.jupiter.api.Assertions.assertFalse
import static org.junit.jupiter.api.Assertions.assertTrue

/**
 * lmsRollbackGate as the face of the engine's gate: it opens the input the engine says is open, for
 * the people the engine names, for the time the engine gives, and hands each answer back.
 */
class LmsRollbackGateTest extends LmsPipelineTest {

  static final String GATE = "lmsRollbackGate(trigger: 'MAN-001', reason: 'error rate 3% for 20 minutes', requestedBy: 'dev.smith', scenario: 'B', environment: 'production')"

  static String escalated() {
    Contract.text('gate-record-approved') { Map m ->
      Map open = Contract.read('rollback-awaiting').gate
      open.prompt.id = 'LmsGate1'
      open.prompt.level = 1
      open.prompt.title = 'DevOps Lead'
      open.prompt.submitter = 'lms-release-commanders,lms-devops-leads'
      open.escalations = ['Release Commander did not answer within 5m']
      open.prompt.message = 'Roll back for MAN-001? DevOps Lead decides (escalated: Release Commander did not answer within 5m). Requested by dev.smith.'
      open.prompt.page = open.prompt.page.collect { String l ->
        l.endsWith(' decides.') ? 'DevOps Lead decides (escalated: Release Commander did not answer within 5m).'
            : l.startsWith('Decide by ') ? 'Decide by 2026-12-07 02:22:00 UTC (10m left); then it escalates to CTO.' : l
      }
      m.gate = open
    }
  }

  @BeforeEach
  void anOpenPrompt() {
    lmsctl.answer('gate-status', 5, JsonState.awaiting())
    lmsctl.answer('gate-record', 0, Contract.text('gate-record-approved'))
    env().BUILD_URL = 'https://jenkins.example.com/job/Rollback/41/'
  }

  List<String> decisions() {
    lmsctl.verbs('gate', 'record').collect { FakeLmsctl.value(it, '--decision') + '@' + (it.contains('--database') ? 'db' : FakeLmsctl.value(it, '--level')) }
  }

  @Test
  void withASigningKeyTheDecisionIsRecordedWithTheControllersKeyBoundAndNeverOnTheCommandLine() {
    inputAnswers << [APPROVER: 'rc.jones', REASON: 'confirmed on the dashboard, roll back']

    run("return " + GATE.replace(")", ", signingKey: 'lms-decision-key')"))

    int recorded = lmsctl.calls().indexOf(lmsctl.verbs('gate', 'record')[0])
    String key = lmsctl.env(recorded).LMS_DECISION_KEY
    assertTrue(key != null && new File(key).text == 'secret-of-lms-decision-key', "the key's file is bound for lmsctl: " + key)
    assertTrue(!lmsctl.verbs('gate', 'record')[0].any { it.contains('secret-of') }, 'the key is in a file, not an argument')
  }

  @Test
  void theEnginesPromptIsAskedOfItsDecidersAndTheApprovalHandedBack() {
    inputAnswers << [APPROVER: 'rc.jones', REASON: 'confirmed on the dashboard, roll back']

    def state = run("return " + GATE)

    assertEquals('lms-release-commanders', inputs[0].submitter)
    assertEquals('APPROVER', inputs[0].submitterParameter)
    assertEquals('SECONDS', promptTimeouts()[0].unit)
    assertTrue(promptTimeouts()[0].time <= 300 && promptTimeouts()[0].time > 280, promptTimeouts().toString())
    assertEquals(['approve@0'], decisions())
    def record = lmsctl.verbs('gate', 'record')[0]
    assertEquals('https://jenkins.example.com/job/Rollback/41/', FakeLmsctl.value(record, '--build-url'))
    // the input's authenticated submitter, journaled beside the agent's login that recorded the decision (#38)
    assertEquals('rc.jones', lmsctl.env(lmsctl.calls().indexOf(record)).LMS_JENKINS_USER)
    assertEquals('approved', state.status)
    // the engine opened the prompt (gate status) before the input waited; reminders ran beside it
    assertTrue(events.indexOf('lmsctl gate status') < events.indexOf('input LmsGate0'), events.toString())
    assertEquals(['0'], lmsctl.verbs('gate', 'remind').collect { FakeLmsctl.value(it, '--level') })
  }

  @Test
  void anUnansweredPromptIsHandedBackAsATimeoutAndTheEnginesEscalationIsAsked() {
    lmsctl.answerOnce('gate-record', 0, escalated())
    inputAnswers << 'timeout' << [APPROVER: 'lead.kim', REASON: 'RC unreachable, error rate climbing']

    def state = run("return " + GATE)

    assertEquals(['LmsGate0', 'LmsGate1'], inputs*.id*.toString())
    assertEquals('lms-release-commanders,lms-devops-leads', inputs[1].submitter)
    assertTrue(inputs[1].parameters[0].description.contains('escalated: Release Commander did not answer'), inputs[1].parameters[0].description.toString())
    // the input page is the engine's page for the decider: its question as the heading, the rest line by line in the reason's
    // description (Jenkins keeps a description's line breaks, not a message's)
    List page = Contract.read('rollback-awaiting').gate.prompt.page
    assertEquals(page[0], inputs[0].message)
    assertTrue(inputs[0].message.contains('scenario B'), inputs[0].message)
    String described = inputs[0].parameters[0].description
    assertTrue(described.startsWith(page.drop(1).join('\n')) && described.contains('Requested by dev.smith: '), described)
    assertTrue(inputs[1].parameters[0].description.contains('Decide by 2026-12-07 02:22:00 UTC (10m left); then it escalates to CTO.'),
        inputs[1].parameters[0].description.toString())
    assertEquals(['timeout@0', 'approve@1'], decisions())
    assertEquals(['0', '1'], lmsctl.verbs('gate', 'remind').collect { FakeLmsctl.value(it, '--level') })
    assertEquals('approved', state.status)
  }

  @Test
  void aDecisionThatDoesNotCountLeavesThePromptOpenWithItsDeadline() {
    lmsctl.answerOnce('gate-record', 5, '', 'lmsctl gate record: admin may not decide MAN-001 at level 0 (Release Commander)')
    inputAnswers << [APPROVER: 'admin', REASON: 'I am the administrator here'] << [APPROVER: 'rc.jones', REASON: 'confirmed, roll back now']

    run(GATE)

    assertEquals(['LmsGate0', 'LmsGate0'], inputs*.id*.toString())
    assertTrue(promptTimeouts()[1].time <= promptTimeouts()[0].time, 'the second ask gets what is left of the same window')
    assertEquals(['approve@0', 'approve@0'], decisions())
    assertEquals(1, lmsctl.verbs('gate', 'remind').size(), 'one prompt, one set of reminders')
  }

  @Test
  void aTimeoutTheEngineDoesNotTakeYetIsAskedAgainForTheTimeTheEngineSaysIsLeft() {
    // Given a controller whose clock ran ahead of the engine's: its timeout ran out, the engine's window has 42 s left
    lmsctl.answerOnce('gate-status', 5, JsonState.awaiting())
    lmsctl.answer('gate-status', 5, groovy.json.JsonOutput.toJson(Contract.read('rollback-awaiting').gate.with { it.prompt.leftSeconds = 42; it }))
    lmsctl.answerOnce('gate-record', 5, '', "lmsctl gate record: MAN-001's window at level 0 is still open (42s left)")
    inputAnswers << 'timeout' << [APPROVER: 'rc.jones', REASON: 'confirmed on the dashboard, roll back']

    def state = run("return " + GATE)

    // Then the input is asked again for the engine's 42 s: no clock of its own, no sleep
    assertEquals(['LmsGate0', 'LmsGate0'], inputs*.id*.toString())
    assertEquals(42L, promptTimeouts()[1].time as long)
    assertEquals(2, lmsctl.verbs('gate', 'status').size(), 'the engine was asked how long the window still is')
    assertFalse(called('sleep'))
    assertEquals(['timeout@0', 'approve@0'], decisions())
    assertEquals('approved', state.status)
  }

  @Test
  void aRejectionIsHandedBackWithWhoRejected() {
    inputAnswers << 'reject:rc.jones'
    lmsctl.answer('gate-record', 0, Contract.text('gate-record-rejected'))

    def state = run("return " + GATE)

    def record = lmsctl.verbs('gate', 'record')[0]
    assertEquals(['reject', 'rc.jones'], ['--decision', '--by'].collect { FakeLmsctl.value(record, it) })
    assertEquals('rejected', state.status)
  }

  @Test
  void theDatabasePromptAsksTheTwoPersonAuthorization() {
    lmsctl.answer('gate-status', 5, groovy.json.JsonOutput.toJson(Contract.read('gate-record-open').gate))
    lmsctl.answerOnce('gate-record', 0, Contract.text('gate-record-open'))
    inputAnswers << [APPROVER: 'dba.lee', REASON: 'orphaned leave requests since 02:10'] << [APPROVER: 'rc.jones', REASON: 'agreed, roll the schema back']

    run(GATE.replace("scenario: 'B'", "scenario: 'C'"))

    assertEquals(['LmsDatabaseGate', 'LmsDatabaseGate'], inputs*.id*.toString())
    assertEquals('lms-dbas,lms-release-commanders', inputs[0].submitter)
    assertEquals(['approve@db', 'approve@db'], decisions())
    // the second person is asked at once, within the same prompt's decision: not after the first set of reminders ends
    assertEquals(1, lmsctl.verbs('gate', 'remind').size(), 'one prompt, one set of reminders, however many people it needs')
    assertTrue(promptTimeouts()[1].time <= promptTimeouts()[0].time, 'the second person gets what is left of the same window')
  }
}
