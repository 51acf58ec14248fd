/** Runbook §4.2 step 2: is Blue serving correctly now? See lmsVerifyBlue.txt. */
def call(Map userConfig = [:]) {
  Map defaults = [env: null, budget: null, window: null, expectedVersion: null, baseUrl: null, prometheus: null, plan: null, outDir: null,
                  kubeconfigCredentialsId: 'lms-kubeconfig', archive: true]
  Map config = lmsConfig('lmsVerifyBlue', defaults, userConfig, ['env'])
  String junitFile = "${config.outDir}/verify-blue-junit.xml"
  List args = ['verify-blue', '--env', config.env, '-o', 'json', '--out-dir', config.outDir, '--junit', junitFile]
  if (config.window) args += ['--window', config.window]
  if (config.expectedVersion) args += ['--expected-version', config.expectedVersion]
  if (config.baseUrl) args += ['--base-url', config.baseUrl]
  if (config.prometheus) args += ['--prometheus', config.prometheus]
  if (config.plan) args += ['--plan', config.plan]
  def result = lmsStep(step: 'lmsVerifyBlue', budget: config.budget, outDir: config.outDir, kubeconfigCredentialsId: config.kubeconfigCredentialsId, junit: junitFile, archive: config.archive) {
      lmsctlRun(args: args, outDir: config.outDir)
    }
  if (result.status == 4) {
    List failed = result.json?.checks?.findAll { it.status != 'pass' }?.collect { "${it.name} ${it.status}" } ?: []
    error("lmsVerifyBlue: Blue is not healthy after the switch (${failed.join(', ')}); Green was left running")
  }
  if (result.status != 0) error("lmsVerifyBlue: Blue could not be verified (lmsctl exit ${result.status}): ${result.reason}")
  return result.json
}
