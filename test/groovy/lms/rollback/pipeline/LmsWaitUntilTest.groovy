package lms.rollback.pipeline

import org.junit.jupiter.api.Test

import static org.junit.jupiter.api.Assertions.assertEquals
import static org.junit.jupiter.api.Assertions.assertThrows
import static org.junit.jupiter.api.Assertions.assertTrue

/**
 * lmsWaitUntil: a long wait keeps looking about every second. On a real controller the stages following a 90 s step
 * noticed its end 9–16 s late, waitUntil having backed off to its 15 s cap (#35); the stand-in waitUntil backs off the same way.
 */
class LmsWaitUntilTest extends LmsPipelineTest {

  @Test
  void aLongWaitLooksAboutEverySecondWhereWaitUntilAloneWouldBackOffToFifteen() {
    run('''
      int looks = 0
      lmsWaitUntil { looks++; return looks >= 20 }
    ''')

    // the pauses between its 20 looks: none longer than about a second (waitUntil alone: 250 ms growing to 7.7 s by the
    // 19th), each 5 s slice a fresh waitUntil, more than one slice needed — and no timeout step (a controller prints each)
    assertTrue(waitUntilPolls.size() >= 15, waitUntilPolls.toString())
    assertTrue(waitUntilPolls.max() <= 1100, waitUntilPolls.toString())
    assertTrue(helper.callStack.count { it.methodName == 'waitUntil' } >= 2, 'slices')
    assertTrue(timeouts.isEmpty(), timeouts.toString())
  }

  @Test
  void anAbortEndsTheWaitInsteadOfStartingTheNextSlice() {
    def e = assertThrows(Exception) {
      run('''
        lmsWaitUntil { throw new org.jenkinsci.plugins.workflow.steps.FlowInterruptedException('aborted by admin') }
      ''')
    }
    assertTrue(e.getClass().name.endsWith('FlowInterruptedException'), e.toString())
    assertEquals(1, helper.callStack.count { it.methodName == 'waitUntil' }, 'no second slice after an abort')
  }

  @Test
  void aSliceTooShortToLookIsRefusedNamingTheArgument() {
    def e = assertThrows(Exception) { run("lmsWaitUntil(sliceMillis: 10) { true }") }
    assertTrue(e.message.contains('sliceMillis must be at least 250'), e.message)
  }
}
