package lms.rollback.pipeline

import org.junit.jupiter.api.Test

import static org.junit.jupiter.api.Assertions.assertEquals
import static org.junit.jupiter.api.Assertions.assertThrows
import static org.junit.jupiter.api.Assertions.assertTrue

/** lmsFollowUp: §7 ticked from Jenkins through the engine's verb, its shell run for real under /bin/sh -xe. */
class LmsFollowUpTest extends LmsPipelineTest {

  @Test
  void anItemIsTickedInTheRollbacksFolderUnderWhoDidItAndWhatIsLeftIsEchoed() {
    lmsctl.answer('followups-done', 0, Contract.text('followups-done'))
    lmsctl.answer('followups', 0, Contract.text('followups-list'))

    def listed = run("lmsFollowUp(action: 'Create incident ticket', note: 'INC-2041', by: 'rc.jones', rollbackDir: 'lms-rollback/build-41')")

    def tick = lmsctl.verbs('followups')[0]
    assertEquals(['followups', 'done'], tick.take(2))
    assertEquals(['Create incident ticket', 'INC-2041', 'lms-rollback/build-41'], ['--action', '--note', '--out-dir'].collect { FakeLmsctl.value(tick, it) })
    assertEquals('rc.jones', lmsctl.env(0).LMS_ACTOR, 'the tick is journaled under the person who did it')
    assertEquals('lms-rollback/build-41', FakeLmsctl.value(lmsctl.verbs('followups')[1], '--out-dir'), 'the list is read from the same rollback')
    List echoed = helper.callStack.findAll { it.methodName == 'echo' }*.argsToString()
    assertTrue(echoed.any { it.contains('overdue: §7.2 Begin preliminary RCA (Engineering Lead') }, echoed.toString())
    assertTrue(!echoed.any { it.contains('done: ') }, 'done items are not echoed as open')
    assertEquals(1, listed.overdue)
  }

  @Test
  void anItemThePlanDoesNotHaveFailsTheBuildWithTheEnginesListOfNames() {
    lmsctl.answer('followups-done', 2, '', "lmsctl followups done: --action: 'Buy cake' is not a follow-up of the plan; allowed: \"Create incident ticket\"")

    def e = assertThrows(Exception) { run("lmsFollowUp(action: 'Buy cake', by: 'rc.jones', rollbackDir: 'lms-rollback/build-41')") }

    assertTrue(e.message.contains("nothing was ticked (lmsctl exit 2): lmsctl followups done: --action: 'Buy cake' is not a follow-up"), e.message)
    assertEquals(1, lmsctl.calls().size(), 'nothing listed after a refusal')
  }

  @Test
  void whoDidItAndWhichRollbackAreAskedForBeforeAnythingRuns() {
    def e = assertThrows(Exception) { run("lmsFollowUp(action: 'Create incident ticket', rollbackDir: 'lms-rollback/build-41')") }
    assertTrue(e.message.contains('by'), e.message)
    def e2 = assertThrows(Exception) { run("lmsFollowUp(action: 'Create incident ticket', by: 'rc.jones')") }
    assertTrue(e2.message.contains('rollbackDir'), e2.message)
    assertTrue(lmsctl.calls().isEmpty())
  }
}
