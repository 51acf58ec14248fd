package lms.rollback.pipeline

import org.junit.jupiter.api.Test

import static org.junit.jupiter.api.Assertions.assertEquals
import static org.junit.jupiter.api.Assertions.assertThrows
import static org.junit.jupiter.api.Assertions.assertTrue

/** lmsReadiness: a deployment pipeline's gate on §9.1, the engine's verdict, its shell run for real under /bin/sh -xe. */
class LmsReadinessTest extends LmsPipelineTest {

  @Test
  void aReleaseMissingItsTestsFailsTheBuildNamingThem() {
    lmsctl.answer('readiness', 4, Contract.text('readiness-not-ready'), 'lmsctl readiness: not ready')

    def e = assertThrows(Exception) { run("lmsReadiness(release: '3.0.0', records: '/var/lib/lms-rollback/rehearsals', migrations: true)") }

    assertTrue(e.message.contains('release 3.0.0 is not ready for production (§9.1): Traffic switch: no completed rehearsal'), e.message)
    def call = lmsctl.verbs('readiness')[0]
    assertEquals(['3.0.0', '/var/lib/lms-rollback/rehearsals'], ['--release', '--records'].collect { FakeLmsctl.value(call, it) })
    assertTrue(call.contains('--migrations'))
  }

  @Test
  void aReadyReleasePassesAndEchoesEachTest() {
    String ready = Contract.text('readiness-not-ready') { Map m ->
      m.ready = true
      m.tests.each { it.state = 'ready' }
    }
    lmsctl.answer('readiness', 0, ready)

    run("lmsReadiness(release: '3.0.0', records: '/srv/rehearsals')")

    assertTrue(helper.callStack.any { it.methodName == 'echo' && it.argsToString().contains('ok: Traffic switch (Every release, DevOps)') })
    assertTrue(!lmsctl.verbs('readiness')[0].contains('--migrations'))
  }

  @Test
  void aTimerIsToldWhatIsDueAndTheBuildGoesOn() {
    lmsctl.answer('readiness', 4, Contract.text('readiness-due'), 'lmsctl readiness: due')

    def answer = run("lmsReadiness(records: 'lms-rollback', dueInDays: 31)")

    assertEquals(['full-rollback', 'backup-restore'], answer.due)
    def call = lmsctl.verbs('readiness')[0]
    assertEquals(['31', null], ['--due-in-days', '--release'].collect { FakeLmsctl.value(call, it) })
    assertTrue(helper.callStack.any { it.methodName == 'echo' && it.argsToString().contains('due: Full rollback (Monthly, DevOps)') })
    assertEquals(null, binding.getVariable('currentBuild').result)
  }

  @Test
  void aMissingArgumentIsRefusedBeforeAnythingRuns() {
    def e = assertThrows(Exception) { run("lmsReadiness(release: '3.0.0')") }
    assertTrue(e.message.contains('records'), e.message)
    def e2 = assertThrows(Exception) { run("lmsReadiness(records: '/srv/rehearsals')") }
    assertTrue(e2.message.contains('release is missing'), e2.message)
    assertTrue(lmsctl.calls().isEmpty())
  }
}
