/** Runbook §4.2 step 5: the smoke tests after the rollback. See lmsSmokeTest.txt. */
def call(Map userConfig = [:]) {
  Map defaults = [env: null, budget: null, baseUrl: null, credentials: [:], plan: null, outDir: null, archive: true]
  Map config = lmsConfig('lmsSmokeTest', defaults, userConfig, ['env'])
  String junitFile = "${config.outDir}/smoke-junit.xml"
  List args = ['smoke', '--env', config.env, '-o', 'json', '--out-dir', config.outDir, '--junit', junitFile]
  if (config.baseUrl) args += ['--base-url', config.baseUrl]
  if (config.plan) args += ['--plan', config.plan]
  def result = lmsStep(step: 'lmsSmokeTest', budget: config.budget, outDir: config.outDir, secrets: config.credentials, junit: junitFile, archive: config.archive) {
      lmsctlRun(args: args, outDir: config.outDir)
    }
  if (result.status != 0) error("lmsSmokeTest: the smoke tests did not pass (lmsctl exit ${result.status}): ${result.reason}")
  return result.json
}
