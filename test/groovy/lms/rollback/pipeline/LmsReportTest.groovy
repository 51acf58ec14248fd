package lms.rollback.pipeline

import org.junit.jupiter.api.Test

import static org.junit.jupiter.api.Assertions.assertEquals
import static org.junit.jupiter.api.Assertions.assertThrows
import static org.junit.jupiter.api.Assertions.assertTrue

/** lmsReport: the §8.2 report completed from Jenkins through the engine's verb, its shell run for real under /bin/sh -xe. */
class LmsReportTest extends LmsPipelineTest {

  @Test
  void aSignOffIsTheEnginesToRecordUnderThePersonWithTheirGroupsAndTheReportIsArchivedAgain() {
    lmsctl.answer('report', 0, 'report: lms-rollback/build-41/rollback-report.md\n')

    run("lmsReport(rollbackDir: 'lms-rollback/build-41', by: 'rc.jones', sign: 'approved', rootCause: 'a null balance in LeaveBalanceCalculator')")

    def call = lmsctl.verbs('report')[0]
    assertEquals(['lms-rollback/build-41', 'rc.jones', 'approved', 'a null balance in LeaveBalanceCalculator'],
        ['--out-dir', '--by', '--sign', '--root-cause'].collect { FakeLmsctl.value(call, it) })
    assertEquals('rc.jones', lmsctl.env(0).LMS_ACTOR, 'journaled under the person who signed')
    assertTrue(called('archiveArtifacts'))
  }

  @Test
  void aSignOffTheEngineRefusesFailsTheBuildWithItsReason() {
    lmsctl.answer('report', 5, '', 'lmsctl report: --sign approved: rm.ada reviewed this report and may not also approve it')

    def e = assertThrows(Exception) { run("lmsReport(rollbackDir: 'lms-rollback/build-41', by: 'rm.ada', sign: 'approved')") }

    assertTrue(e.message.contains('nothing was recorded (lmsctl exit 5): lmsctl report: --sign approved: rm.ada reviewed this report'), e.message)
  }

  @Test
  void whoAndWhichRollbackAreAskedForBeforeAnythingRuns() {
    def e = assertThrows(Exception) { run("lmsReport(rollbackDir: 'lms-rollback/build-41', sign: 'approved')") }
    assertTrue(e.message.contains('by'), e.message)
    assertTrue(lmsctl.calls().isEmpty())
  }
}
