package lms.rollback.pipeline

import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test

import static org.junit.jupiter.api.Assertions.assertEquals
import static org.junit.jupiter.api.Assertions.assertThrows
import static org.junit.jupiter.api.Assertions.assertTrue

/** The repository's own Jenkinsfile, run as Jenkins runs it, with the library loaded by @Library and lmsctl a stand-in. */
class JenkinsfileTest extends LmsPipelineTest {

  List causes = []

  @BeforeEach
  void jenkins() {
    JenkinsfileHarness.register(helper, binding, causes)
    lmsctl.answerOnce('rollback@decision', 5, Contract.text('rollback-awaiting'))
    lmsctl.answer('rollback', 0, Contract.text('rollback-paused'))
    lmsctl.answer('gate-record', 0, Contract.text('gate-record-approved'))
  }

  def jenkinsfile() {
    runScript('Jenkinsfile')
  }

  Map started(Map params) {
    causes << [_class: 'hudson.model.Cause$UserIdCause', userId: 'dev.smith']
    binding.setVariable('params', [ENVIRONMENT: 'production', SCENARIO: 'B', TRIGGER: 'MAN-001', REASON: 'error rate 3% for 20 minutes',
                                   BACKUP: '', PLAN: '', VERIFY_WINDOW: '', DRY_RUN: false] + params)
  }

  @Test
  void aBuildWithOnlyTheDefaultsRollsNothingBack() {
    binding.setVariable('params', [ENVIRONMENT: '(choose)', SCENARIO: '(choose)', TRIGGER: '(choose)', REASON: '', DRY_RUN: true])

    def e = assertThrows(Exception) { jenkinsfile() }

    assertTrue(e.message.contains('Nothing was rolled back: choose ENVIRONMENT, SCENARIO, TRIGGER'), e.message)
    assertTrue(lmsctl.calls().isEmpty(), 'no lmsctl verb ran')
  }

  @Test
  void aUserStartedRollbackIsTheEnginesRunForThatUserWithThePlanAndWindowChosen() {
    started(PLAN: 'plans/staging-drill.yaml', VERIFY_WINDOW: '90s')
    inputAnswers << [APPROVER: 'rc.jones', REASON: 'confirmed on the dashboard, roll back']

    jenkinsfile()

    def first = lmsctl.verbs('rollback')[0]
    assertEquals(['dev.smith', 'plans/staging-drill.yaml', '90s', 'B', 'MAN-001'],
        ['--requested-by', '--plan', '--window', '--scenario', '--trigger'].collect { FakeLmsctl.value(first, it) })
    assertEquals(7, lmsctl.verbs('rollback').size())
    assertTrue(binding.getVariable('currentBuild').description.startsWith('B · MAN-001 · production · SUCCESS'))
  }

  @Test
  void aDryRunIsOneCallThatAsksNobody() {
    started(DRY_RUN: true)
    lmsctl.answer('rollback', 0, Contract.text('rollback-dry-run'))

    jenkinsfile()

    assertEquals(1, lmsctl.calls().size())
    assertTrue(lmsctl.calls()[0].contains('--dry-run'))
    assertTrue(inputs.isEmpty())
  }

  @Test
  void scenarioDWithoutABackupIsRefusedByThePreflightBeforeAnyoneIsAsked() {
    started(SCENARIO: 'D', TRIGGER: 'BUS-004')
    new File(lmsctl.dir, 'answers').listFiles().findAll { it.name.startsWith('rollback@decision.q') }*.delete()
    lmsctl.answer('rollback@decision', 2, Contract.text('rollback-refused') { Map m ->
      m.scenario = 'D'
      m.reason = 'Backup to restore: --dump: scenario D restores a backup; name the pg_dump archive (-Fc); nothing was changed'
    })

    def e = assertThrows(Exception) { jenkinsfile() }

    assertTrue(e.message.contains('the preflight refused: Backup to restore: --dump'), e.message)
    assertTrue(inputs.isEmpty())
    assertEquals(1, lmsctl.calls().size())
  }

  @Test
  void theBackupOfScenarioDReachesTheEngine() {
    started(SCENARIO: 'D', TRIGGER: 'BUS-004', BACKUP: '/backups/lms-2026-11-30.dump')
    inputAnswers << [APPROVER: 'cio.ng', REASON: 'restore approved by the CIO']

    jenkinsfile()

    assertEquals('/backups/lms-2026-11-30.dump', FakeLmsctl.value(lmsctl.verbs('rollback')[0], '--dump'))
    assertEquals('secret-of-lms-database-url', lmsctl.env(0).LMS_DATABASE_URL)
  }

  @Test
  void aTimerStartedBuildRehearsesScenarioCOnStagingWithItsOwnDatabaseCredential() {
    causes << [_class: 'hudson.triggers.TimerTrigger$TimerTriggerCause']
    binding.setVariable('params', [ENVIRONMENT: '(choose)', SCENARIO: '(choose)', TRIGGER: '(choose)', REASON: '', DRY_RUN: true])
    new File(lmsctl.dir, 'answers').listFiles().findAll { it.name.startsWith('rollback@decision.q') }*.delete()

    jenkinsfile()

    assertTrue(inputs.isEmpty(), 'a rehearsal asks nobody')
    def first = lmsctl.verbs('rollback')[0]
    assertEquals(['staging', 'C', 'MAN-004'], ['--env', '--scenario', '--trigger'].collect { FakeLmsctl.value(first, it) })
    assertTrue(first.contains('--rehearsal'))
    assertEquals('secret-of-lms-staging-database-url', lmsctl.env(0).LMS_STAGING_DATABASE_URL)
    assertTrue(helper.callStack.any { it.methodName == 'junit' && it.argsToString().contains('-junit.xml') })
  }
}
