package lms.rollback.pipeline

import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test

import static org.junit.jupiter.api.Assertions.assertEquals
import static org.junit.jupiter.api.Assertions.assertThrows
import static org.junit.jupiter.api.Assertions.assertTrue

/** lmsRehearsal: one §9.1 test on the plan's environment for it, through lmsRollback; its shell run for real under /bin/sh -xe. */
class LmsRehearsalTest extends LmsPipelineTest {

  @BeforeEach
  void thePlan() {
    lmsctl.answer('plan', 0, Contract.text('plan'))
    lmsctl.answer('rollback@decision', 0, Contract.text('rollback-paused'))
    lmsctl.answer('rollback', 0, Contract.text('rollback-completed'))
  }

  @Test
  void theDatabaseRollbackTestRunsScenarioCOnStagingWithStagingsOwnCredential() {
    secrets['lms-staging-database-url'] = 'postgresql://lms:s3cret@staging-db/lms'

    run("lmsRehearsal(test: 'database-rollback', requestedBy: 'dba.lee', plan: 'plans/lms.yaml')")

    def first = lmsctl.verbs('rollback')[0]
    assertEquals(['C', 'staging', 'database-rollback', 'dba.lee', 'plans/lms.yaml'],
        ['--scenario', '--env', '--rehearsal-of', '--requested-by', '--plan'].collect { FakeLmsctl.value(first, it) })
    assertEquals('plans/lms.yaml', FakeLmsctl.value(lmsctl.verbs('plan')[0], '--plan'), 'the test is looked up in the plan the run uses')
    int index = lmsctl.calls().indexOf(first)
    assertEquals('postgresql://lms:s3cret@staging-db/lms', lmsctl.env(index).LMS_STAGING_DATABASE_URL)
    assertTrue(!console.join('\n').contains('s3cret'), 'the URL travels in the environment, never in a script')
  }

  @Test
  void aMissingCredentialFailsWithOneSentenceNamingItAndWhatItIsFor() {
    // the monthly timer build on a controller that was never given the staging database's URL
    missingCredentials << 'lms-staging-database-url'

    def e = assertThrows(Exception) { run("lmsRehearsal(test: 'database-rollback', requestedBy: 'timer')") }

    assertTrue(e.message.startsWith("lmsRollback: a Jenkins credential this rollback needs is missing (Could not find credentials entry with ID 'lms-staging-database-url')"),
        e.message)
    assertTrue(e.message.contains("'lms-staging-database-url' (secret text: LMS_STAGING_DATABASE_URL, the database of staging)"), e.message)
    assertTrue(e.message.contains("'lms-kubeconfig' (secret file: the kubeconfig of the cluster)"), e.message)
    assertTrue(lmsctl.verbs('rollback').isEmpty(), 'nothing ran')
    // and DevOps, who own the rehearsals, are told which did not run and why, instead of a red build nobody opens
    List told = lmsctl.verbs('notify')
    assertEquals(1, told.size(), lmsctl.calls().toString())
    assertEquals(['rehearsal-not-run', 'database-rollback'], ['--after', '--rehearsal-of'].collect { FakeLmsctl.value(told[0], it) })
    assertTrue(FakeLmsctl.value(told[0], '--reason').contains("'lms-staging-database-url'"), told[0].toString())
    assertTrue(helper.callStack.any { it.methodName == 'echo' && it.argsToString().contains('DevOps were told that the Database rollback rehearsal did not run') })
  }

  @Test
  void aTestThePlanDoesNotHaveIsRefusedListingTheAllowedOnes() {
    def e = assertThrows(Exception) { run("lmsRehearsal(test: 'fire-drill')") }

    assertTrue(e.message.contains("test: 'fire-drill' is not a rehearsal of the plan (§9.1); allowed: traffic-switch, full-rollback, database-rollback, backup-restore"),
        e.message)
    assertTrue(lmsctl.verbs('rollback').isEmpty())
  }

  @Test
  void aTestOnAnEnvironmentThePlanLacksSaysToAddIt() {
    lmsctl.answer('plan', 0, Contract.text('plan') { Map m -> m.environments.remove('dr') })

    def e = assertThrows(Exception) { run("lmsRehearsal(test: 'backup-restore', backup: '/backups/b.dump')") }

    assertTrue(e.message.contains("the Backup restore test runs on 'dr', an environment the plan does not have; add it"), e.message)
    assertTrue(lmsctl.verbs('rollback').isEmpty())
  }

  @Test
  void withoutATestNothingRuns() {
    def e = assertThrows(Exception) { run('lmsRehearsal()') }
    assertTrue(e.message.contains('missing mandatory argument(s) test'), e.message)
    assertTrue(lmsctl.calls().isEmpty())
  }
}
