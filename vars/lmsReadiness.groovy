/**
 * §9.1 in a deployment pipeline, before production: the engine's readiness check (`lmsctl readiness`) over the
 * rehearsal runs kept under `records`; the build fails naming each missing or stale test. See lmsReadiness.txt.
 */
def call(Map userConfig = [:]) {
  Map config = lmsConfig('lmsReadiness', [release: null, migrations: false, records: null, plan: null, outDir: null], userConfig,
      ['release', 'records'])
  List args = ['readiness', '--release', config.release, '--records', config.records, '-o', 'json']
  if (config.migrations) args << '--migrations'
  if (config.plan) args += ['--plan', config.plan]
  def checked = lmsctlRun(args: args, outDir: config.outDir)
  if (checked.json == null) error("lmsReadiness: lmsctl readiness gave no answer (exit ${checked.status}): ${checked.reason}")
  List tests = checked.json.tests
  for (int i = 0; i < tests.size(); i++) echo("${tests[i].state == 'ready' ? 'ok' : tests[i].state}: ${tests[i].title} (${tests[i].frequency}, ${tests[i].owner}): ${tests[i].why}")
  if (checked.status == 4) {
    List missing = tests.findAll { it.state == 'missing' }.collect { "${it.title}: ${it.why}" }
    error("lmsReadiness: release ${config.release} is not ready for production (§9.1): ${missing.join('; ')}")
  }
  if (checked.status != 0) error("lmsReadiness: lmsctl readiness failed (exit ${checked.status}): ${checked.reason}")
  return checked.json
}
