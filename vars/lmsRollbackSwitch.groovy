/** Runbook §4.2 step 1: all traffic to Blue. See lmsRollbackSwitch.txt. */
def call(Map userConfig = [:]) {
  Map defaults = [env: null, budget: null, force: false, reason: null, plan: null, outDir: null, kubeconfigCredentialsId: 'lms-kubeconfig',
                  leaseHolder: null, archive: true]
  Map config = lmsConfig('lmsRollbackSwitch', defaults, userConfig, ['env'])
  if (config.force && !config.reason) error("lmsRollbackSwitch: force: true needs a reason, e.g. lmsRollbackSwitch(env: 'production', force: true, reason: 'Blue at 2/3 beats Green corrupting data')")
  List args = ['switch', '--env', config.env, '-o', 'json', '--out-dir', config.outDir]
  if (config.plan) args += ['--plan', config.plan]
  if (config.force) args += ['--force', '--reason', config.reason]
  if (config.leaseHolder) args += ['--lease-holder', config.leaseHolder]
  def result = lmsStep(step: 'lmsRollbackSwitch', budget: config.budget, outDir: config.outDir, kubeconfigCredentialsId: config.kubeconfigCredentialsId, archive: config.archive) {
    lmsctlRun(args: args, outDir: config.outDir)
  }
  if (result.status != 0) error("lmsRollbackSwitch: traffic was not switched to Blue (lmsctl exit ${result.status}): ${result.reason}")
  echo(result.json.changed ? "Traffic switched to Blue: ${result.json.after.join('; ')}" : "Traffic was already on Blue")
  return result.json
}
