/** Runbook §4.2 step 3: Green's logs preserved, Green scaled to 0, no Green pod left. See lmsStopGreen.txt. */
def call(Map userConfig = [:]) {
  Map defaults = [env: null, budget: null, timeout: null, plan: null, outDir: null, kubeconfigCredentialsId: 'lms-kubeconfig', leaseHolder: null,
                  archive: true]
  Map config = lmsConfig('lmsStopGreen', defaults, userConfig, ['env'])
  List args = ['stop-green', '--env', config.env, '-o', 'json', '--out-dir', config.outDir]
  if (config.timeout) args += ['--timeout', config.timeout]
  if (config.plan) args += ['--plan', config.plan]
  if (config.leaseHolder) args += ['--lease-holder', config.leaseHolder]
  def result = lmsStep(step: 'lmsStopGreen', budget: config.budget, outDir: config.outDir, kubeconfigCredentialsId: config.kubeconfigCredentialsId, archive: config.archive) {
    lmsctlRun(args: args, outDir: config.outDir)
  }
  if (result.status != 0) error("lmsStopGreen: Green was not stopped (lmsctl exit ${result.status}): ${result.reason}")
  return result.json
}
