package lms.rollback.pipeline

import org.junit.jupiter.api.Test

import static org.junit.jupiter.api.Assertions.assertEquals
import static org.junit.jupiter.api.Assertions.assertFalse
import static org.junit.jupiter.api.Assertions.assertNull
import static org.junit.jupiter.api.Assertions.assertTrue

/** lmsctlRun's shell script, run for real under /bin/sh -xe as Jenkins runs it. */
class LmsctlRunTest extends LmsPipelineTest {

  @Test
  void aFailingLmsctlKeepsItsExitCodeAndItsReasonUnderShXe() {
    lmsctl.answer('switch', 3, '', 'progress line\nlmsctl switch: VirtualService staging/lms-vs not found')

    def r = run("return lmsctlRun(args: ['switch', '--env', 'staging', '-o', 'json'])")

    assertEquals(3, r.status)
    assertEquals('lmsctl switch: VirtualService staging/lms-vs not found', r.reason)
    assertNull(r.json)
    assertTrue(scripts[0].readLines().find { !it.startsWith('#') } == 'set +e', 'the script switches -e off before lmsctl runs')
  }

  @Test
  void noCallEverReadsAnotherCallsFilesNotEvenInAReusedWorkspace() {
    // a first build leaves its answer in the workspace
    lmsctl.answerOnce('switch', 0, '{"changed":true,"after":[]}')
    run("lmsctlRun(args: ['switch', '-o', 'json'], outDir: 'lms-rollback/shared')")
    // the next call in the same folder fails without printing anything
    newBuild(42)
    lmsctl.answerOnce('switch', 3, '', 'lmsctl switch: API server unreachable')

    def r = run("return lmsctlRun(args: ['switch', '-o', 'json'], outDir: 'lms-rollback/shared')")

    assertEquals(3, r.status)
    assertNull(r.json, 'the earlier call\'s stdout is gone, not read again')
    assertEquals('lmsctl switch: API server unreachable', r.reason)
  }

  @Test
  void aMissingLmsctlIsAnExitCodeWithAReasonNotACrash() {
    env().LMSCTL = new File(scratch, 'no-such-lmsctl').path

    def r = run("return lmsctlRun(args: ['status'])")

    assertEquals(127, r.status)
    assertTrue(r.reason.contains('not found'), r.reason)
  }

  @Test
  void shellMetacharactersArriveVerbatimAndRunNothing() {
    File pwned = new File(scratch, 'pwned')
    String evil = "it's \$(touch ${pwned.path}); rm -rf / #`id` \"x\""

    run("lmsctlRun(args: ['notify', '--reason', '''${evil.replace('\\', '\\\\')}'''])")

    assertEquals(evil, FakeLmsctl.value(lmsctl.calls()[0], '--reason'))
    assertFalse(pwned.exists(), 'nothing a person typed was executed')
    assertFalse(scripts[0].contains('rm -rf'), scripts[0])
  }

  @Test
  void eachBuildWritesItsOwnFolder() {
    run("lmsctlRun(args: ['status'])")
    newBuild(42)
    run("lmsctlRun(args: ['status'])")

    assertEquals(['lms-rollback/build-41', 'lms-rollback/build-42'], (0..1).collect { lmsctl.env(it).LMS_OUT_DIR })
    assertTrue(new File(workspace, 'lms-rollback/build-41/.lmsctl-status.out').exists())
  }
}
