package lms.rollback.pipeline

import org.junit.jupiter.api.Test

import static org.junit.jupiter.api.Assertions.assertEquals

/** The steps run under the CPS interpreter, as on a controller: state it cannot serialize fails here. */
class LmsStepsCpsTest extends LmsPipelineTestCPS {

  @Test
  void aGatedRollbackWithAnEscalationRunsUnderCps() {
    lmsctl.answerOnce('rollback@decision', 5, Contract.text('rollback-awaiting'))
    lmsctl.answer('rollback', 0, Contract.text('rollback-completed'))
    lmsctl.answerOnce('gate-record', 0, LmsRollbackGateTest.escalated())
    lmsctl.answer('gate-record', 0, Contract.text('gate-record-approved'))
    inputAnswers << 'timeout' << [APPROVER: 'lead.kim', REASON: 'RC unreachable, error rate climbing']

    run(LmsRollbackTest.ROLLBACK + "\nlmsRollbackSwitch(env: 'production')")

    assertEquals(['LmsGate0', 'LmsGate1'], inputs*.id*.toString())
    // two prompts with their reminders beside them, then the engine with the steps' stages beside it
    assertEquals(3, parallels.size())
    assertEquals(['decision', null], lmsctl.verbs('rollback').collect { FakeLmsctl.value(it, '--through') })
    assertEquals(1, lmsctl.verbs('switch').size())
  }

  @Test
  void theTimersRehearsalsAndAFollowUpRunUnderCps() {
    lmsctl.answer('readiness', 4, Contract.text('readiness-due'))
    lmsctl.answer('plan', 0, Contract.text('plan'))
    lmsctl.answer('rollback@decision', 0, Contract.text('rollback-paused'))
    lmsctl.answer('rollback', 0, Contract.text('rollback-completed'))
    lmsctl.answer('followups-done', 0, Contract.text('followups-done'))
    lmsctl.answer('followups', 0, Contract.text('followups-list'))

    run("""for (String test in lmsReadiness(records: 'lms-rollback', dueInDays: 31).due) { lmsRehearsal(test: test, backup: '/backups/b.dump') }
""")
    run("lmsFollowUp(action: 'Create incident ticket', by: 'rc.jones', rollbackDir: 'lms-rollback/build-41')")

    assertEquals(['full-rollback', 'backup-restore'], lmsctl.verbs('rollback').collect { FakeLmsctl.value(it, '--rehearsal-of') }.unique())
    assertEquals(1, lmsctl.verbs('followups', 'done').size())
  }
}
