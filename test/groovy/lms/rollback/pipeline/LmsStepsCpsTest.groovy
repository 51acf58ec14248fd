package lms.rollback.pipeline

import org.junit.jupiter.api.Test

import static org.junit.jupiter.api.Assertions.assertEquals
import static org.junit.jupiter.api.Assertions.assertThrows
import static org.junit.jupiter.api.Assertions.assertTrue

/**
 * The steps under the CPS interpreter with the program saved at every step call, as a controller (default durability)
 * runs them: state it cannot serialize fails here as it fails the build there.
 */
class LmsStepsCpsTest extends LmsPipelineTest {

  @Test
  void aParserAliveAcrossAStepCallFailsAsTheControllersProgramSaveFails() {
    // the shape that failed every rollback build on a real controller (lmsRollback's follow(), before #35)
    new File(workspace, 'step.json').text = '{"ok": true}'
    Throwable e = assertThrows(Throwable) {
      run("Map done = new groovy.json.JsonSlurperClassic().parseText(readFile('step.json'))\necho(\"ok: \${done.ok}\")")
    }
    assertTrue(causes(e).any { it instanceof NotSerializableException && it.message == 'groovy.json.JsonSlurperClassic' }, causes(e).toString())
    assertTrue(e.message.contains("at step 'readFile'"), e.message)
  }

  @Test
  void theSameParseOutsideCpsSurvivesTheProgramSave() {
    new File(workspace, 'step.json').text = '{"ok": true}'
    run("Map done = lmsctlRun.parseJson(readFile('step.json'))\necho(\"ok: \${done.ok}\")")
    assertTrue(helper.callStack.any { it.methodName == 'echo' && it.argsToString() == 'ok: true' })
    assertTrue(((ProgramSavingHelper) helper).saves >= 2, 'the program was saved at the step calls')
  }

  @Test
  void closuresInGroovysCollectionMethodsRunToTheirEndAsOnAController() {
    run("List done = [[a: 1, ok: true], [a: 2, ok: false], [a: 3, ok: true]].findAll { it.ok }.collect { it.a }\necho(\"done: \${done}\")")
    assertTrue(helper.callStack.any { it.methodName == 'echo' && it.argsToString() == 'done: [1, 3]' })
  }

  static List<Throwable> causes(Throwable e) {
    List<Throwable> all = []
    for (Throwable t = e; t != null && !all.contains(t); t = t.cause) all << t
    return all
  }

  @Test
  void aGatedRollbackWithAnEscalationRunsUnderCps() {
    lmsctl.answerOnce('rollback@decision', 5, Contract.text('rollback-awaiting'))
    lmsctl.answer('rollback', 0, Contract.text('rollback-completed'))
    lmsctl.answerOnce('gate-record', 0, LmsRollbackGateTest.escalated())
    lmsctl.answer('gate-record', 0, Contract.text('gate-record-approved'))
    inputAnswers << 'timeout' << [APPROVER: 'lead.kim', REASON: 'RC unreachable, error rate climbing']

    run(LmsRollbackTest.ROLLBACK + "\nlmsRollbackSwitch(env: 'production')")

    assertEquals(['LmsGate0', 'LmsGate1'], inputs*.id*.toString())
    // the engine beside the stages branch, which holds the two prompts, each beside a watcher of the engine's end (a run
    // superseded meanwhile cancels it); the waiting engine reminds: no reminders branch
    assertEquals([['engine', 'stages'], ['decision', 'engine'], ['decision', 'engine']], parallels.collect { it.keySet().findAll { it != 'failFast' } as List })
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
