package lms.rollback.pipeline

import org.junit.jupiter.api.Test

import static org.junit.jupiter.api.Assertions.assertEquals
import static org.junit.jupiter.api.Assertions.assertThrows
import static org.junit.jupiter.api.Assertions.assertTrue

class LmsVerifyAndStopGreenTest extends LmsPipelineTest {

  static final String ROLLBACK = """
    lmsRollbackSwitch(env: 'production')
    lmsVerifyBlue(env: 'production', window: '3m')
    lmsStopGreen(env: 'production')
  """

  @Test
  void healthyBlueLetsGreenBeStoppedAndPublishesTheChecks() {
    lmsctl.answer('switch', 0, json(changed: true, after: []))
    lmsctl.answer('verify-blue', 0, json(passed: true, checks: []))

    run(ROLLBACK)

    assertEquals(1, lmsctl.verbs('stop-green').size())
    assertEquals('3m', FakeLmsctl.value(lmsctl.verbs('verify-blue')[0], '--window'))
    assertTrue(helper.callStack.any { it.methodName == 'junit' && it.argsToString().contains('verify-blue-junit.xml') })
    assertEquals(3, helper.callStack.count { it.methodName == 'archiveArtifacts' })
  }

  @Test
  void blueUnhealthyAfterTheSwitchStopsTheRunBeforeGreenIsTouched() {
    lmsctl.answer('switch', 0, json(changed: true, after: []))
    lmsctl.answer('verify-blue', 4, json(passed: false, checks: [[name: 'Blue error rate (%)', status: 'fail'],
                                                                              [name: 'Previous version displayed', status: 'pass']]))

    def e = assertThrows(Exception) { run(ROLLBACK) }

    assertTrue(e.message.contains('Blue is not healthy after the switch (Blue error rate (%) fail); Green was left running'), e.message)
    assertTrue(lmsctl.verbs('stop-green').isEmpty(), 'Green must not be stopped')
    // junit and the archive are published on failure too
    assertTrue(called('junit'))
    assertEquals(2, helper.callStack.count { it.methodName == 'archiveArtifacts' })
  }

  @Test
  void smokeCredentialsAreBoundFromJenkinsAndNeverPassedAsArguments() {
    lmsctl.answer('smoke', 0, json(passed: true, checks: []))

    run("lmsSmokeTest(env: 'staging', credentials: [LMS_SMOKE_TOKEN: 'lms-smoke-token'])")

    assertEquals('secret-of-lms-smoke-token', lmsctl.env(0).LMS_SMOKE_TOKEN)
    assertTrue(lmsctl.calls()[0].every { !it.contains('secret-of') })
  }
}
