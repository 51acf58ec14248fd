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
    lmsctl.answer('rollback@decision', 0, Contract.text('rollback-paused'))
    lmsctl.answer('rollback', 0, Contract.text('rollback-completed'))
    lmsctl.answer('gate-record', 0, Contract.text('gate-record-approved'))
    lmsctl.answer('plan', 0, Contract.text('plan'))
  }

  /** The environment of the first 'lmsctl rollback', as the engine saw it. */
  Map rollbackEnv() {
    lmsctl.env(lmsctl.calls().findIndexOf { it[0] == 'rollback' })
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
    assertEquals(2, lmsctl.verbs('rollback').size(), 'preflight, then one call that carries the run from its decision to its end')
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
    assertEquals(['plan', 'rollback'], lmsctl.calls().collect { it[0] }, 'the plan asked whether D needs the database, then one run call')
  }

  @Test
  void theBackupOfScenarioDReachesTheEngine() {
    started(SCENARIO: 'D', TRIGGER: 'BUS-004', BACKUP: '/backups/lms-2026-11-30.dump')
    inputAnswers << [APPROVER: 'cio.ng', REASON: 'restore approved by the CIO']

    jenkinsfile()

    assertEquals('/backups/lms-2026-11-30.dump', FakeLmsctl.value(lmsctl.verbs('rollback')[0], '--dump'))
    assertEquals('secret-of-lms-database-url', rollbackEnv().LMS_DATABASE_URL, 'the engine says D needs the database')
  }

  @Test
  void scenarioBNeedsNoDatabaseSoItsCredentialIsNotBound() {
    started(SCENARIO: 'B', TRIGGER: 'MAN-001')
    inputAnswers << [APPROVER: 'rc.jones', REASON: 'confirmed on the dashboard, roll back']

    jenkinsfile()

    assertEquals(null, rollbackEnv().LMS_DATABASE_URL, 'the plan says B does not touch the database')
  }

  void timerStarted(List due) {
    causes << [_class: 'hudson.triggers.TimerTrigger$TimerTriggerCause']
    binding.setVariable('params', [ENVIRONMENT: '(choose)', SCENARIO: '(choose)', TRIGGER: '(choose)', REASON: '', BACKUP: '', PLAN: '',
                                   VERIFY_WINDOW: '', REHEARSAL: '(none)', DRY_RUN: true])
    new File(lmsctl.dir, 'answers').listFiles().findAll { it.name.startsWith('rollback@decision.q') }*.delete()
    lmsctl.answer('readiness', due ? 4 : 0, Contract.text('readiness-due') { Map m -> m.due = due })
    lmsctl.answer('plan', 0, Contract.text('plan'))
    env().LMS_REHEARSAL_BACKUP = '/backups/lms-latest.dump'
  }

  /** The index of the lmsctl call that is the first `rollback` of a rehearsal of {@code test}. */
  int firstCallOf(String test) {
    lmsctl.calls().findIndexOf { it[0] == 'rollback' && FakeLmsctl.value(it, '--rehearsal-of') == test }
  }

  @Test
  void aTimerRehearsesWhatTheEngineSaysIsDueEachOnItsEnvironmentWithItsOwnDatabaseCredential() {
    timerStarted(['full-rollback', 'backup-restore'])

    jenkinsfile()

    def asked = lmsctl.verbs('readiness')[0]
    assertEquals(['lms-rollback', '31'], ['--records', '--due-in-days'].collect { FakeLmsctl.value(asked, it) })
    assertTrue(inputs.isEmpty(), 'a rehearsal asks nobody')
    int monthly = firstCallOf('full-rollback')
    int quarterly = firstCallOf('backup-restore')
    assertTrue(monthly >= 0 && quarterly > monthly, lmsctl.calls().toString())
    def full = lmsctl.calls()[monthly]
    assertEquals(['staging', 'C', 'MAN-004', 'timer'], ['--env', '--scenario', '--trigger', '--requested-by'].collect { FakeLmsctl.value(full, it) })
    assertTrue(full.contains('--rehearsal'))
    assertTrue(FakeLmsctl.value(full, '--out-dir').endsWith('lms-rollback/build-41/full-rollback'), full.toString())
    assertEquals('secret-of-lms-staging-database-url', lmsctl.env(monthly).LMS_STAGING_DATABASE_URL)
    def restore = lmsctl.calls()[quarterly]
    assertEquals(['dr', 'D', '/backups/lms-latest.dump'], ['--env', '--scenario', '--dump'].collect { FakeLmsctl.value(restore, it) })
    assertEquals('secret-of-lms-dr-database-url', lmsctl.env(quarterly).LMS_DR_DATABASE_URL)
    assertEquals(null, lmsctl.env(quarterly).LMS_STAGING_DATABASE_URL, 'each environment only its own database')
    assertEquals(2, helper.callStack.findAll { it.methodName == 'junit' }.size(), 'each rehearsal scored (§9.2)')
    assertTrue(binding.getVariable('currentBuild').description.contains('full-rollback rehearsal C') &&
        binding.getVariable('currentBuild').description.contains('| backup-restore rehearsal D'), binding.getVariable('currentBuild').description)
  }

  @Test
  void aFailedRehearsalFailsTheTimersBuildButTheNextStillRuns() {
    timerStarted(['full-rollback', 'backup-restore'])
    lmsctl.answerOnce('rollback@decision', 3, Contract.text('rollback-refused'), 'lmsctl rollback: staging: the VirtualService lms-vs was not found')

    jenkinsfile()

    assertEquals('FAILURE', binding.getVariable('currentBuild').result)
    assertTrue(firstCallOf('backup-restore') > 0, 'the restore ran after the full rollback failed')
  }

  @Test
  void aTimerWithNothingDueRollsNothingBack() {
    timerStarted([])

    jenkinsfile()

    assertTrue(lmsctl.verbs('rollback').isEmpty())
    assertTrue(helper.callStack.any { it.methodName == 'echo' && it.argsToString().contains('No rehearsal is due this month') })
  }

  @Test
  void aDeploymentPipelineRehearsesTheTrafficSwitchOfItsReleaseOnStaging() {
    started(REHEARSAL: 'traffic-switch', DRY_RUN: false, ENVIRONMENT: '(choose)', SCENARIO: '(choose)', TRIGGER: '(choose)', REASON: '')
    new File(lmsctl.dir, 'answers').listFiles().findAll { it.name.startsWith('rollback@decision.q') }*.delete()
    lmsctl.answer('plan', 0, Contract.text('plan'))

    jenkinsfile()

    def first = lmsctl.verbs('rollback')[0]
    assertEquals(['staging', 'A', 'traffic-switch', 'dev.smith', 'Traffic switch rehearsal (§9.1, Every release)'],
        ['--env', '--scenario', '--rehearsal-of', '--requested-by', '--reason'].collect { FakeLmsctl.value(first, it) })
    assertTrue(lmsctl.calls().every { !it.contains('--dry-run') })
    assertEquals(null, lmsctl.env(lmsctl.calls().indexOf(first)).LMS_STAGING_DATABASE_URL, 'scenario A needs no database credential')
    assertTrue(inputs.isEmpty())
  }
}
