package lms.rollback.pipeline

import com.lesfurets.jenkins.unit.cps.BasePipelineTestCPS
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeEach

/** The same fakes under CPS, as Jenkins runs pipelines: state it cannot serialize fails here. */
abstract class LmsPipelineTestCPS extends BasePipelineTestCPS implements LmsFakes {
  @BeforeEach
  void setUpLibrary() {
    super.setUp()
    installFakes()
  }

  @AfterEach
  void cleanUp() {
    removeScratch()
  }
}
