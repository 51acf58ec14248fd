/**
 * Runbook §4.2 step 4: alembic downgrade, verified, after the two-person authorization; the
 * work is `lmsctl db-rollback`'s. See lmsDatabaseRollback.txt.
 */
def call(Map userConfig = [:]) {
  Map defaults = [env: null, budget: null, target: '-1', rehearsal: false, plan: null, outDir: null, kubeconfigCredentialsId: 'lms-kubeconfig',
                  databaseCredentialsId: null, archive: true]
  Map config = lmsConfig('lmsDatabaseRollback', defaults, userConfig, ['env'])
  String junitFile = "${config.outDir}/database-junit.xml"
  List args = ['db-rollback', '--env', config.env, '--target', config.target, '-o', 'json', '--out-dir', config.outDir, '--junit', junitFile]
  if (config.rehearsal) args += ['--rehearsal']
  if (config.plan) args += ['--plan', config.plan]
  Map secrets = config.databaseCredentialsId ? [LMS_DATABASE_URL: config.databaseCredentialsId] : [:]
  def result = lmsStep(step: 'lmsDatabaseRollback', budget: config.budget, outDir: config.outDir, kubeconfigCredentialsId: config.kubeconfigCredentialsId,
        secrets: secrets, junit: junitFile, archive: config.archive) {
      lmsctlRun(args: args, outDir: config.outDir)
    }
  if (result.status != 0) error("lmsDatabaseRollback: the database was not rolled back (lmsctl exit ${result.status}): ${result.reason}. Consider scenario D")
  return result.json
}
