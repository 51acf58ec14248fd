/** The rollback plan as the engine reads it (lmsctl plan -o json): what a pipeline asks instead of knowing it. See lmsPlan.txt. */
Map call(Map userConfig = [:]) {
  Map config = lmsConfig('lmsPlan', [plan: null, outDir: null], userConfig, [])
  List args = ['plan', '-o', 'json']
  if (config.plan) args += ['--plan', config.plan]
  def read = lmsctlRun(args: args, outDir: config.outDir)
  if (read.json == null) error("lmsPlan: the plan could not be read (lmsctl exit ${read.status}): ${read.reason}")
  return read.json
}
