/**
 * §9.1 from the engine's readiness check (`lmsctl readiness`) over the rehearsal runs kept under `records`: before
 * production, the build fails naming each missing or stale test; for a timer (dueInDays), it returns which tests are
 * due. See lmsReadiness.txt.
 */
def call(Map userConfig = [:]) {
  Map config = lmsConfig('lmsReadiness', [release: null, migrations: false, records: null, plan: null, outDir: null, dueInDays: null], userConfig,
      ['records'])
  if (!config.release && config.dueInDays == null) {
    error('lmsReadiness: release is missing; give the version about to be deployed (e.g. release: env.RELEASE_VERSION), or dueInDays for a timer')
  }
  List args = ['readiness', '--records', config.records, '-o', 'json']
  if (config.release) args += ['--release', config.release]
  if (config.dueInDays != null) args += ['--due-in-days', "${config.dueInDays}"]
  if (config.migrations) args << '--migrations'
  if (config.plan) args += ['--plan', config.plan]
  def checked = lmsctlRun(args: args, outDir: config.outDir)
  if (checked.json == null) error("lmsReadiness: lmsctl readiness gave no answer (exit ${checked.status}): ${checked.reason}")
  List tests = checked.json.tests
  for (int i = 0; i < tests.size(); i++) {
    String state = tests[i].state == 'ready' ? 'ok' : tests[i].state == 'missing' && config.dueInDays != null ? 'due' : tests[i].state
    echo("${state}: ${tests[i].title} (${tests[i].frequency}, ${tests[i].owner}): ${tests[i].why}")
  }
  if (checked.status == 4 && config.dueInDays == null) {
    List missing = tests.findAll { it.state == 'missing' }.collect { "${it.title}: ${it.why}" }
    error("lmsReadiness: release ${config.release} is not ready for production (§9.1): ${missing.join('; ')}")
  }
  if (checked.status != 0 && checked.status != 4) error("lmsReadiness: lmsctl readiness failed (exit ${checked.status}): ${checked.reason}")
  return checked.json
}
