package lms.rollback.pipeline

import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test

import static org.junit.jupiter.api.Assertions.assertEquals
import static org.junit.jupiter.api.Assertions.assertFalse
import static org.junit.jupiter.api.Assertions.assertThrows
import static org.junit.jupiter.api.Assertions.assertTrue

/** The repository's own Jenkinsfile, run as Jenkins runs it, with the library loaded by @Library. */
class JenkinsfileTest extends LmsPipelineTest {

  static final Map PLAN = [
      environments: [staging: [:], production: [:]],
      preRollbackChecklist: [items: [[step: 1, action: 'Announce rollback decision on war room', owner: 'Release Commander']]],
      communications: [[message: 'rollback-initiated', after: 'start'], [message: 'traffic-switched', after: 'switch-traffic'],
                       [message: 'rollback-complete', after: 'end']],
      scenarios: [
          B: [title: 'Traffic Switch + Green Shutdown', target: '8m', steps: [
              [action: 'announce', title: 'Announce rollback', budget: '30s'], [action: 'switch-traffic', title: 'Execute traffic switch', budget: '2m'],
              [action: 'verify-blue', title: 'Verify Blue health', budget: '2m'], [action: 'stop-green', title: 'Scale down Green', budget: '2m'],
              [action: 'confirm', title: 'Confirm success', budget: '1m']]],
          C: [title: 'Full Rollback with Database', target: '15m', steps: [
              [action: 'switch-traffic', title: 'Execute traffic switch', budget: '2m'], [action: 'database-rollback', title: 'Database rollback', budget: '5m'],
              [action: 'confirm', title: 'Confirm success', budget: '30s']]]]]
  List causes = []

  @BeforeEach
  void jenkins() {
    helper.registerAllowedMethod('libraryResource', [String], { String path -> new File('resources', path).text })
    helper.registerAllowedMethod('properties', [List], null)
    helper.registerAllowedMethod('parameters', [List], { it })
    helper.registerAllowedMethod('choice', [Map], { it })
    helper.registerAllowedMethod('booleanParam', [Map], { it })
    helper.registerAllowedMethod('pipelineTriggers', [List], { it })
    helper.registerAllowedMethod('cron', [String], { it })
    helper.registerAllowedMethod('disableConcurrentBuilds', [], null)
    helper.registerAllowedMethod('lock', [Map, Closure], { Map m, Closure body -> body() })
    helper.registerAllowedMethod('milestone', [Map], null)
    binding.getVariable('currentBuild').getBuildCauses = { String type -> causes.findAll { it._class == type } }
    binding.getVariable('env').BUILD_TAG = 'jenkins-Rollback-41'
    lmsctl.answer({ it[0] == 'plan' }, 0, json(PLAN))
    lmsctl.answer({ it[0] == 'gate' && it[1] == 'plan' }, 0, json(LmsRollbackGateTest.MAN_001))
    lmsctl.answer({ it[0] == 'gate' && it[1] == 'record' }, 0, json(role: 'Release Commander', databaseAuthorized: false, databaseApprovers: []))
    lmsctl.answer({ it[0] == 'switch' }, 0, json(changed: true, after: []))
    lmsctl.answer({ it[0] == 'verify-blue' }, 0, json(passed: true, checks: []))
    lmsctl.answer({ it[0] == 'stop-green' }, 0, json(changed: true))
    lmsctl.answer({ it[0] == 'smoke' }, 0, json(passed: true, checks: []))
    lmsctl.answer({ it[0] == 'db-rollback' }, 0, json(ok: true))
  }

  def jenkinsfile() {
    runScript('Jenkinsfile')
  }

  @Test
  void aBuildWithOnlyTheDefaultsRollsNothingBack() {
    binding.setVariable('params', [ENVIRONMENT: '(choose)', SCENARIO: '(choose)', TRIGGER: '(choose)', REASON: '', DRY_RUN: true])

    def e = assertThrows(Exception) { jenkinsfile() }

    assertTrue(e.message.contains('Nothing was rolled back: choose ENVIRONMENT, SCENARIO, TRIGGER'), e.message)
    assertTrue(lmsctl.calls.findAll { !(it.args[0] in ['plan']) }.isEmpty(), 'no lmsctl verb ran')
  }

  @Test
  void aUserStartedRollbackRunsTheGateThenTheScenarioInStages() {
    causes << [_class: 'hudson.model.Cause$UserIdCause', userId: 'dev.smith']
    binding.setVariable('params', [ENVIRONMENT: 'production', SCENARIO: 'B', TRIGGER: 'MAN-001', REASON: 'error rate 3% for 20 minutes', DRY_RUN: false])
    inputAnswers << [APPROVER: 'rc.jones', REASON: 'confirmed on the dashboard, roll back']

    jenkinsfile()

    assertEquals('dev.smith', FakeLmsctl.value(lmsctl.verbs('gate').find { it[1] == 'record' }, '--requested-by'))
    List verbs = lmsctl.calls*.args*.getAt(0).findAll { it in ['switch', 'verify-blue', 'stop-green', 'smoke'] }
    assertEquals(['switch', 'verify-blue', 'stop-green', 'smoke'], verbs)
    assertEquals('jenkins-Rollback-41', FakeLmsctl.value(lmsctl.verbs('switch')[0], '--lease-holder'))
    assertTrue(lmsctl.verbs('audit').any { FakeLmsctl.value(it, '--type') == 'jenkins.step' && it.contains('step=lmsRollbackSwitch') && it.contains('budget=2m') })
    assertTrue(helper.callStack.any { it.methodName == 'stage' && it.argsToString().contains('Execute traffic switch (2m)') })
    assertTrue(helper.callStack.any { it.methodName == 'lock' && it.argsToString().contains('lms-rollback-production') })
    assertTrue(called('milestone'))
    assertEquals(['rollback-initiated', 'traffic-switched', 'rollback-complete'], lmsctl.verbs('notify').collect { FakeLmsctl.value(it, '--message') })
    assertTrue(binding.getVariable('currentBuild').description.startsWith('B · MAN-001 · production · SUCCESS'))
    assertEquals(1, lmsctl.verbs('report').size())
  }

  @Test
  void messagesGetTheirWebhookFromJenkinsCredentialsNeverFromArguments() {
    inputAnswers << [APPROVER: 'rc.jones', REASON: 'confirmed on the dashboard, roll back']

    run("""lmsRollback(scenario: 'B', trigger: 'MAN-001', env: 'production', reason: 'error rate 3% for 20 minutes', requestedBy: 'dev.smith',
                       notifyCredentials: [LMS_WAR_ROOM_WEBHOOK: 'lms-war-room-webhook'])""")

    def notify = lmsctl.calls.find { it.args[0] == 'notify' }
    assertEquals('secret-of-lms-war-room-webhook', notify.env.LMS_WAR_ROOM_WEBHOOK)
    assertTrue(lmsctl.calls.every { c -> c.args.every { !it.contains('secret-of') } })
  }

  @Test
  void aDryRunDecidesAndShowsButChangesNothing() {
    causes << [_class: 'hudson.model.Cause$UserIdCause', userId: 'dev.smith']
    binding.setVariable('params', [ENVIRONMENT: 'production', SCENARIO: 'B', TRIGGER: 'MAN-001', REASON: 'error rate 3% for 20 minutes', DRY_RUN: true])
    inputAnswers << [APPROVER: 'rc.jones', REASON: 'confirmed on the dashboard, roll back']

    jenkinsfile()

    assertTrue(lmsctl.verbs('switch').isEmpty() && lmsctl.verbs('stop-green').isEmpty())
    assertTrue(lmsctl.verbs('notify').every { it.contains('--dry-run') })
    assertTrue(binding.getVariable('currentBuild').description.contains('DRY RUN'))
  }

  @Test
  void aTimerStartedBuildRunsTheRehearsalOfScenarioCOnStagingWithItsScorecard() {
    causes << [_class: 'hudson.triggers.TimerTrigger$TimerTriggerCause']
    binding.setVariable('params', [ENVIRONMENT: '(choose)', SCENARIO: '(choose)', TRIGGER: '(choose)', REASON: '', DRY_RUN: true])

    jenkinsfile()

    assertTrue(inputs.isEmpty(), 'a rehearsal asks nobody')
    assertEquals('staging', FakeLmsctl.value(lmsctl.verbs('switch')[0], '--env'))
    assertTrue(lmsctl.verbs('db-rollback')[0].contains('--rehearsal'))
    assertTrue(lmsctl.verbs('report')[0].contains('--scorecard'))
    assertTrue(helper.callStack.any { it.methodName == 'junit' && it.argsToString().contains('rehearsal-scorecard-junit.xml') })
  }

  @Test
  void aFailedStepStillYieldsTheReportTheArchiveAndTheEndMessage() {
    causes << [_class: 'hudson.model.Cause$UserIdCause', userId: 'dev.smith']
    binding.setVariable('params', [ENVIRONMENT: 'production', SCENARIO: 'B', TRIGGER: 'MAN-001', REASON: 'error rate 3% for 20 minutes', DRY_RUN: false])
    inputAnswers << [APPROVER: 'rc.jones', REASON: 'confirmed on the dashboard, roll back']
    lmsctl.answer({ it[0] == 'verify-blue' }, 4, json(passed: false, checks: [[name: 'Blue error rate (%)', status: 'fail']]))

    assertThrows(Exception) { jenkinsfile() }

    assertTrue(lmsctl.verbs('stop-green').isEmpty())
    assertEquals(1, lmsctl.verbs('report').size())
    assertTrue(lmsctl.verbs('audit').any { FakeLmsctl.value(it, '--type') == 'scenario.stopped' && it.contains('stoppedAt=verify-blue') })
    assertTrue(lmsctl.verbs('notify').any { FakeLmsctl.value(it, '--message') == 'rollback-complete' })
    assertTrue(binding.getVariable('currentBuild').description.contains('FAILED'))
    assertFalse(called('input') && inputs.size() > 1)
  }
}
