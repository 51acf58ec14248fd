package lms.rollback.pipeline

import org.junit.jupiter.api.Test

import static org.junit.jupiter.api.Assertions.assertEquals

/** The steps run under the CPS interpreter with a step boundary between prompts, as on a controller. */
class LmsStepsCpsTest extends LmsPipelineTestCPS {

  @Test
  void theGateEscalatesAndTheSwitchRunsUnderCps() {
    lmsctl.answer({ it[0] == 'gate' && it[1] == 'plan' }, 0, json(LmsRollbackGateTest.MAN_001))
    lmsctl.answer({ it[0] == 'gate' && it[1] == 'record' }, 0, json(role: 'DevOps Lead', databaseAuthorized: false, databaseApprovers: []))
    lmsctl.answer({ it[0] == 'switch' }, 0, json(changed: true, after: ['http[0]: lms-blue 100%, lms-green 0%']))
    inputAnswers << 'timeout' << [APPROVER: 'lead.kim', REASON: 'RC unreachable, error rate climbing']

    run(LmsRollbackGateTest.GATE + "\nlmsRollbackSwitch(env: 'production')")

    assertEquals(['LmsGate0', 'LmsGate1'], inputs*.id*.toString())
    // each prompt: notice first, then input and reminders side by side, closed by its recorded outcome
    assertEquals(['0', '1'], lmsctl.verbs('gate').findAll { it[1] == 'notify' }.collect { FakeLmsctl.value(it, '--level') })
    assertEquals(2, parallels.size())
    assertEquals([], lmsctl.remindersLeftRunning)
    assertEquals(1, lmsctl.verbs('switch').size())
  }
}
