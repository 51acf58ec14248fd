package lms.rollback.pipeline

import org.junit.jupiter.api.Test

import static org.junit.jupiter.api.Assertions.assertEquals
import static org.junit.jupiter.api.Assertions.assertThrows
import static org.junit.jupiter.api.Assertions.assertTrue

/** lmsWatch: §2 after a release through the engine's watch, its shell run for real under /bin/sh -xe. */
class LmsWatchTest extends LmsPipelineTest {

  static String rolledBack(Closure change = null) {
    Contract.text('watch-rolled-back') { Map m ->
      m.rollback.state = 'completed'
      m.rollback.remove('reason')
      m.rollback.exitCode = 0
      if (change) change(m)
    }
  }

  @Test
  void anAutomaticTriggerThatHeldRolledBackInTheEngineAndTheBuildFailsSayingSoWithTheReportArchived() {
    lmsctl.answer('watch', 10, rolledBack())

    def e = assertThrows(Exception) {
      run("lmsWatch(env: 'production', duration: '4h', notifyCredentials: [LMS_WAR_ROOM_WEBHOOK: 'lms-war-room-webhook'])")
    }

    assertTrue(e.message.contains('AUTO-001 held (held at all 31 samples (lowest 12.0)): the release was rolled back automatically (§2.1)'), e.message)
    def call = lmsctl.verbs('watch')[0]
    assertEquals(['production', '4h', 'lms-rollback/build-41'], ['--env', '--for', '--out-dir'].collect { FakeLmsctl.value(call, it) })
    assertEquals('secret-of-lms-war-room-webhook', lmsctl.env(0).LMS_WAR_ROOM_WEBHOOK, 'the run the watch starts can alert the war room')
    assertTrue(called('archiveArtifacts') && called('junit'), 'the report is published and archived before the build fails')
    assertTrue(!called('lock'), 'a watch of hours holds no lock: a person may still run the Rollback job')
  }

  @Test
  void aRollbackTheWatchStartedButTheEngineRefusedFailsTheBuildWithTheEnginesReason() {
    lmsctl.answer('watch', 2, Contract.text('watch-rolled-back') { Map m ->
      m.rollback.reason = 'Smoke test credentials: LMS_SMOKE_USER not set; nothing was changed'
    }, 'lmsctl watch: AUTO-001 held: scenario B ran and STOPPED (exit 2: refused, Smoke test credentials: LMS_SMOKE_USER not set)')

    def e = assertThrows(Exception) { run("lmsWatch(env: 'production')") }

    assertTrue(e.message.contains('AUTO-001 held') && e.message.contains('exit 2') && e.message.contains('Smoke test credentials'), e.message)
  }

  @Test
  void aManualTriggerThatHoldsMakesTheBuildUnstableNamingWhoDecides() {
    lmsctl.answer('watch', 11, Contract.text('watch-rolled-back') { Map m ->
      m.outcome = 'recommendation'
      m.evidence.trigger = 'MAN-001'
      m.remove('rollback')
      m.recommendation = [trigger: 'MAN-001', gate: [levels: [[title: 'Release Commander', submitter: 'lms-release-commanders']]]]
    })

    def json = run("lmsWatch(env: 'production')")

    assertEquals('UNSTABLE', binding.getVariable('currentBuild').result)
    assertEquals('recommendation', json.outcome)
    assertTrue(helper.callStack.any { it.methodName == 'echo' && it.argsToString().contains('Release Commander (lms-release-commanders) decides: start the Rollback job with TRIGGER MAN-001') })
  }

  @Test
  void aQuietWatchPassesAndADryRunRollsNothingBack() {
    lmsctl.answer('watch', 0, '{"outcome":"quiet","rounds":1440}')
    run("lmsWatch(env: 'production')")
    assertEquals(null, binding.getVariable('currentBuild').result)

    lmsctl.answer('watch', 10, Contract.text('watch-rolled-back') { Map m -> m.outcome = 'would_roll_back'; m.remove('rollback') })
    run("lmsWatch(env: 'production', dryRun: true)")
    assertTrue(lmsctl.verbs('watch')[1].contains('--dry-run'))
    assertEquals(null, binding.getVariable('currentBuild').result)
  }

  @Test
  void anUnknownArgumentIsRefusedBeforeAnythingRuns() {
    def e = assertThrows(Exception) { run("lmsWatch(env: 'production', watchFor: '4h')") }
    assertTrue(e.message.contains('unknown argument(s) watchFor; allowed:') && e.message.contains('duration'), e.message)
    assertTrue(lmsctl.calls().isEmpty())
  }
}
