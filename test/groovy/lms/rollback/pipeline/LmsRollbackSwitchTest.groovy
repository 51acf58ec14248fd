package lms.rollback.pipeline

import org.junit.jupiter.api.Test

import static org.junit.jupiter.api.Assertions.assertEquals
import static org.junit.jupiter.api.Assertions.assertFalse
import static org.junit.jupiter.api.Assertions.assertTrue
import static org.junit.jupiter.api.Assertions.assertThrows

class LmsRollbackSwitchTest extends LmsPipelineTest {

  @Test
  void switchesThroughLmsctlAndArchivesTheJournal() {
    lmsctl.answer('switch', 0, json(changed: true, after: ['http[0]: lms-blue 100%, lms-green 0%']))

    run("lmsRollbackSwitch(env: 'production')")

    def call = lmsctl.verbs('switch')[0]
    assertEquals(['switch', '--env', 'production', '-o', 'json', '--out-dir', 'lms-rollback/build-41'], call)
    assertTrue(called('archiveArtifacts'))
    assertTrue(new File(lmsctl.env(0).KUBECONFIG).text.contains('secret-of-lms-kubeconfig'))
    assertEquals(1, lmsctl.calls().size(), 'the verb journals its own time: no extra lmsctl call')
    assertTrue(binding.getVariable('currentBuild').description.startsWith('lmsRollbackSwitch: done in'))
  }

  @Test
  void aParameterCarryingShellReachesLmsctlUnchangedAndIsNeverInTheScript() {
    File pwned = new File(scratch, 'pwned')
    String evil = "it's \$(touch ${pwned.path}); rm -rf / #`id`"
    lmsctl.answer('switch', 0, json(changed: true, after: []))

    binding.setVariable('params', [REASON: evil])

    run("lmsRollbackSwitch(env: 'production', force: true, reason: params.REASON)")

    def call = lmsctl.verbs('switch')[0]
    assertEquals(evil, FakeLmsctl.value(call, '--reason'))
    assertFalse(pwned.exists(), 'nothing a person typed was executed')
    scripts.each { script ->
      assertFalse(script.contains('rm -rf') || script.contains('touch') || script.contains('production'), script)
    }
  }

  @Test
  void aFailedSwitchFailsTheBuildWithLmsctlsReasonAndStillArchives() {
    lmsctl.answer('switch', 3, '', 'lmsctl switch: Blue cannot take the traffic: Deployment lms-blue has 1/3 ready replicas (needs 3)')

    def e = assertThrows(Exception) { run("lmsRollbackSwitch(env: 'production')") }

    assertTrue(e.message.contains('Blue cannot take the traffic'), e.message)
    assertTrue(called('archiveArtifacts'))
  }

  @Test
  void anUnknownArgumentIsRefusedBeforeAnythingRuns() {
    def e = assertThrows(Exception) { run("lmsRollbackSwitch(env: 'production', enviroment: 'x')") }

    assertTrue(e.message.contains('unknown argument(s) enviroment; allowed: archive, budget, env, force'), e.message)
    assertTrue(lmsctl.calls().isEmpty())
  }

  @Test
  void forceWithoutAReasonIsRefused() {
    def e = assertThrows(Exception) { run("lmsRollbackSwitch(env: 'production', force: true)") }
    assertTrue(e.message.contains('force: true needs a reason'), e.message)
  }

  @Test
  void aMissingEnvironmentIsNamed() {
    def e = assertThrows(Exception) { run("lmsRollbackSwitch()") }
    assertTrue(e.message.contains("missing mandatory argument(s) env"), e.message)
  }
}
