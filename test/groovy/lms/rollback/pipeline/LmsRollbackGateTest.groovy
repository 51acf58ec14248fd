package lms.rollback.pipeline

import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test

import static org.junit.jupiter.api.Assertions.assertEquals
import static org.junit.jupiter.api.Assertions.assertThrows
import static org.junit.jupiter.api.Assertions.assertTrue

/** Asserted on the recorded calls: which input was opened, for whom, with which timeout. */
class LmsRollbackGateTest extends LmsPipelineTest {

  static final Map MAN_001 = [trigger: 'MAN-001', approvalNeeded: true, levels: [
      [level: 0, title: 'Release Commander', submitter: 'lms-release-commanders', windowSeconds: 300],
      [level: 1, title: 'DevOps Lead', submitter: 'lms-release-commanders,lms-devops-leads', windowSeconds: 300],
      [level: 2, title: 'CTO', submitter: 'lms-release-commanders,lms-devops-leads,lms-cto', windowSeconds: 300]], twoPersonRule: null]
  static final String GATE = "lmsRollbackGate(trigger: 'MAN-001', reason: 'error rate 3% for 20 minutes', requestedBy: 'dev.smith')"

  @BeforeEach
  void gatePlan() {
    lmsctl.answer({ it[0] == 'gate' && it[1] == 'plan' }, 0, json(MAN_001))
    lmsctl.answer({ it[0] == 'gate' && it[1] == 'record' }, 0, json(role: 'Release Commander', databaseAuthorized: false, databaseApprovers: []))
    lmsctl.answer({ it[0] == 'gate' && it[1] == 'notify' }, 0, json(kind: 'opened', leftSeconds: 300))
    binding.getVariable('env').BUILD_URL = 'https://jenkins.example.com/job/Rollback/41/'
  }

  List<List<String>> notices() {
    lmsctl.verbs('gate').findAll { it[1] == 'notify' }
  }

  List<List<String>> records(String decision) {
    lmsctl.verbs('gate').findAll { it[1] == 'record' && FakeLmsctl.value(it, '--decision') == decision }
  }

  @Test
  void theRightPersonApproves() {
    inputAnswers << [APPROVER: 'rc.jones', REASON: 'error rate 3% for 20 minutes, fix needs a day']

    def decision = run("return " + GATE)

    assertEquals(1, inputs.size())
    assertEquals('lms-release-commanders', inputs[0].submitter)
    assertEquals('APPROVER', inputs[0].submitterParameter)
    assertEquals(300, timeouts[0].time)
    assertEquals('SECONDS', timeouts[0].unit)
    def approve = records('approve')[0]
    assertEquals('rc.jones', FakeLmsctl.value(approve, '--by'))
    assertEquals('dev.smith', FakeLmsctl.value(approve, '--requested-by'))
    assertEquals('0', FakeLmsctl.value(approve, '--level'))
    assertEquals('rc.jones', decision.by)
  }

  @Test
  void theDeciderIsNotifiedWithTheLinkBeforeTheInputWaits() {
    inputAnswers << [APPROVER: 'rc.jones', REASON: 'error rate 3% for 20 minutes, fix needs a day']

    run("lmsRollbackGate(trigger: 'MAN-001', reason: 'error rate 3% for 20 minutes', requestedBy: 'dev.smith', scenario: 'B', environment: 'production')")

    assertTrue(events.indexOf('lmsctl gate notify') >= 0, events.toString())
    assertTrue(events.indexOf('lmsctl gate notify') < events.indexOf('input LmsGate0'), events.toString())
    def notice = notices()[0]
    assertEquals('MAN-001', FakeLmsctl.value(notice, '--trigger'))
    assertEquals('0', FakeLmsctl.value(notice, '--level'))
    assertEquals('https://jenkins.example.com/job/Rollback/41/', FakeLmsctl.value(notice, '--build-url'))
    assertEquals('dev.smith', FakeLmsctl.value(notice, '--requested-by'))
    assertEquals('error rate 3% for 20 minutes', FakeLmsctl.value(notice, '--reason'))
    assertEquals('B', FakeLmsctl.value(notice, '--scenario'))
    assertEquals('production', FakeLmsctl.value(notice, '--env'))
  }

  @Test
  void theNoticesGetTheWebhookFromCredentialsNeverFromTheScript() {
    inputAnswers << [APPROVER: 'rc.jones', REASON: 'error rate 3% for 20 minutes, fix needs a day']

    run("lmsRollbackGate(trigger: 'MAN-001', reason: 'error rate 3% for 20 minutes', requestedBy: 'dev.smith', notifyCredentials: [LMS_WAR_ROOM_WEBHOOK: 'war-room-hook'])")

    def notify = lmsctl.calls.find { it.args[0] == 'gate' && it.args[1] == 'notify' }
    def remind = lmsctl.calls.find { it.args[0] == 'gate' && it.args[1] == 'remind' }
    assertEquals('secret-of-war-room-hook', notify.env.LMS_WAR_ROOM_WEBHOOK)
    assertEquals('secret-of-war-room-hook', remind.env.LMS_WAR_ROOM_WEBHOOK)
    assertTrue(!notify.script.contains('secret-of'), notify.script)
  }

  @Test
  void remindersRunBesideTheInputAndTheDecisionClosesThePrompt() {
    inputAnswers << [APPROVER: 'rc.jones', REASON: 'error rate 3% for 20 minutes, fix needs a day']

    run(GATE)

    assertEquals(1, parallels.size())
    assertEquals(['failFast', 'decision', 'reminders'] as Set, parallels[0].keySet())
    assertEquals(true, parallels[0].failFast)
    def remind = lmsctl.verbs('gate').find { it[1] == 'remind' }
    assertEquals('0', FakeLmsctl.value(remind, '--level'))
    // the approval recorded in the decision branch closes level 0: the reminders branch stops there
    assertEquals([], lmsctl.remindersLeftRunning)
    assertTrue(events.indexOf('input LmsGate0') < events.indexOf('lmsctl gate record'), events.toString())
  }

  @Test
  void theWindowCountsFromTheNoticeTheDeciderGot() {
    lmsctl.answer({ it[0] == 'gate' && it[1] == 'notify' }, 0, json(kind: 'opened', leftSeconds: 287))
    inputAnswers << [APPROVER: 'rc.jones', REASON: 'error rate 3% for 20 minutes, fix needs a day']

    run(GATE)

    assertTrue(timeouts[0].time in [286L, 287L], timeouts.toString())
  }

  @Test
  void aChannelThatFailsDoesNotHoldUpTheGate() {
    lmsctl.answer({ it[0] == 'gate' && it[1] == 'notify' }, 1, json(kind: 'opened', leftSeconds: 290),
        'lmsctl gate notify: gate-opened on war-room NOT delivered: cannot reach https://hooks.example.com/… (the rollback goes on)')
    inputAnswers << [APPROVER: 'rc.jones', REASON: 'error rate 3% for 20 minutes, fix needs a day']

    def decision = run("return " + GATE)

    assertEquals('rc.jones', decision.by)
    assertTrue(helper.callStack.any { it.methodName == 'echo' && it.argsToString().contains('not every decider could be notified') })
  }

  @Test
  void aRejectionStopsTheRollbackAsAborted() {
    inputAnswers << 'reject:rc.jones'

    def e = assertThrows(Exception) { run(GATE) }

    assertTrue(e.message.contains('rejected by rc.jones'), e.message)
    assertEquals([], lmsctl.remindersLeftRunning)
    assertEquals('ABORTED', binding.getVariable('currentBuild').result)
    assertEquals('rc.jones', FakeLmsctl.value(records('reject')[0], '--by'))
  }

  @Test
  void aWrongPersonDoesNotCountAndThePromptOpensAgain() {
    lmsctl.answerOnce({ it[0] == 'gate' && it[1] == 'record' && FakeLmsctl.value(it, '--by') == 'admin' }, 5, '',
        'lmsctl gate record: admin may not decide MAN-001 at level 0 (Release Commander); who may: lms-release-commanders')
    inputAnswers << [APPROVER: 'admin', REASON: 'looks bad, rolling back'] << [APPROVER: 'rc.jones', REASON: 'error rate 3% for 20 minutes']

    def decision = run("return " + GATE)

    assertEquals(2, inputs.size())
    assertEquals(['LmsGate0', 'LmsGate0'], inputs*.id*.toString())
    assertEquals('rc.jones', decision.by)
    assertTrue(helper.callStack.any { it.methodName == 'echo' && it.argsToString().contains('admin may not decide') })
  }

  @Test
  void aTimeoutEscalatesToTheBackupWithTheEarlierAuthorityStillAllowed() {
    inputAnswers << 'timeout' << [APPROVER: 'lead.kim', REASON: 'RC unreachable, error rate climbing']

    def decision = run("return " + GATE)

    assertEquals(['LmsGate0', 'LmsGate1'], inputs*.id*.toString())
    assertEquals(['0', '1'], notices().collect { FakeLmsctl.value(it, '--level') })
    assertTrue(events.indexOf('input LmsGate0') < events.lastIndexOf('lmsctl gate notify'), events.toString())
    assertEquals([], lmsctl.remindersLeftRunning)
    assertEquals('lms-release-commanders,lms-devops-leads', inputs[1].submitter)
    assertTrue(inputs[1].message.contains('escalated: Release Commander did not answer'), inputs[1].message)
    assertEquals(1, records('timeout').size())
    assertEquals('1', FakeLmsctl.value(records('approve')[0], '--level'))
    assertEquals('lead.kim', decision.by)
  }

  @Test
  void nobodyDecidingInAnyWindowAbortsTheRollback() {
    inputAnswers << 'timeout' << 'timeout' << 'timeout'

    def e = assertThrows(Exception) { run(GATE) }

    assertEquals(3, records('timeout').size())
    assertEquals(3, notices().size())
    assertEquals([], lmsctl.remindersLeftRunning)
    assertEquals('ABORTED', binding.getVariable('currentBuild').result)
    assertTrue(e.message.contains('Release Commander -> DevOps Lead -> CTO'), e.message)
  }

  @Test
  void anAutomaticTriggerSkipsTheGate() {
    lmsctl.answer({ it[0] == 'gate' && it[1] == 'plan' }, 0, json(trigger: 'AUTO-001', approvalNeeded: false, levels: [], twoPersonRule: null))

    def decision = run("return lmsRollbackGate(trigger: 'AUTO-001', reason: 'error rate 9% for 5 minutes', requestedBy: 'watch')")

    assertTrue(inputs.isEmpty())
    assertTrue(notices().isEmpty())
    assertEquals('automatic', decision.decision)
    assertEquals(1, lmsctl.verbs('audit').count { FakeLmsctl.value(it, '--type') == 'gate.not-required' })
  }

  @Test
  void aDatabaseRollbackNeedsTwoDifferentPeople() {
    Map withDb = new HashMap(MAN_001)
    withDb.twoPersonRule = [roles: ['dba', 'release-commander'], titles: ['DBA', 'Release Commander'],
                            holders: [dba: ['lms-dbas'], 'release-commander': ['lms-release-commanders']]]
    lmsctl.answer({ it[0] == 'gate' && it[1] == 'plan' }, 0, json(withDb))
    // the DBA approves; the same DBA again does not count; then the Release Commander completes it
    lmsctl.answer({ it.contains('--database') && FakeLmsctl.value(it, '--by') == 'rc.jones' }, 0,
        json(role: 'Release Commander', databaseAuthorized: true, databaseApprovers: ['dba.lee', 'rc.jones']))
    lmsctl.answerOnce({ it.contains('--database') && FakeLmsctl.value(it, '--by') == 'dba.lee' }, 5, '',
        'lmsctl gate record: dba.lee already approved this database rollback; the other approval must come from a different person')
    lmsctl.answerOnce({ it.contains('--database') && FakeLmsctl.value(it, '--by') == 'dba.lee' }, 0,
        json(role: 'DBA', databaseAuthorized: false, databaseApprovers: ['dba.lee']))
    inputAnswers << [APPROVER: 'rc.jones', REASON: 'orphaned leave requests since 02:10'] <<
        [APPROVER: 'dba.lee', REASON: 'downgrade reviewed, reversible'] << [APPROVER: 'dba.lee', REASON: 'approving again to hurry'] <<
        [APPROVER: 'rc.jones', REASON: 'second approval as Release Commander']

    run("lmsRollbackGate(trigger: 'MAN-004', reason: 'orphaned leave requests', requestedBy: 'dev.smith', scenario: 'C')")

    assertEquals(['LmsGate0', 'LmsDatabaseGate', 'LmsDatabaseGate', 'LmsDatabaseGate'], inputs*.id*.toString())
    def dbNotice = notices().find { it.contains('--database') }
    assertTrue(events.indexOf('input LmsGate0') < events.lastIndexOf('lmsctl gate notify'), events.toString())
    assertTrue(events.lastIndexOf('lmsctl gate notify') < events.indexOf('input LmsDatabaseGate'), events.toString())
    assertEquals('MAN-004', FakeLmsctl.value(dbNotice, '--trigger'))
    // one approval leaves the prompt open; the second person's completes it and closes it
    assertEquals([], lmsctl.remindersLeftRunning)
    assertEquals('lms-dbas,lms-release-commanders', inputs[1].submitter)
    assertEquals(3, lmsctl.calls.count { it.args[1] == 'record' && it.args.contains('--database') })
  }

  @Test
  void anUnansweredDatabasePromptIsRecordedAsTimedOutWhichClosesIt() {
    Map withDb = new HashMap(MAN_001)
    withDb.twoPersonRule = [roles: ['dba', 'release-commander'], titles: ['DBA', 'Release Commander'],
                            holders: [dba: ['lms-dbas'], 'release-commander': ['lms-release-commanders']]]
    lmsctl.answer({ it[0] == 'gate' && it[1] == 'plan' }, 0, json(withDb))
    inputAnswers << [APPROVER: 'rc.jones', REASON: 'orphaned leave requests since 02:10'] << 'timeout'

    def e = assertThrows(Exception) { run("lmsRollbackGate(trigger: 'MAN-004', reason: 'orphaned leave requests', requestedBy: 'dev.smith', scenario: 'C')") }

    assertTrue(e.message.contains('not authorized in time by DBA and Release Commander'), e.message)
    assertTrue(lmsctl.calls.any { it.args[1] == 'record' && it.args.contains('--database') && FakeLmsctl.value(it.args, '--decision') == 'timeout' })
    assertEquals([], lmsctl.remindersLeftRunning)
    assertEquals('ABORTED', binding.getVariable('currentBuild').result)
  }

  @Test
  void anUnknownArgumentIsRefused() {
    def e = assertThrows(Exception) { run("lmsRollbackGate(trigger: 'MAN-001', reason: 'x', requestedBy: 'a', approver: 'b')") }
    assertTrue(e.message.contains('unknown argument(s) approver'), e.message)
    assertTrue(lmsctl.calls.isEmpty())
  }
}
