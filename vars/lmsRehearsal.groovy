/**
 * One test of §9.1 rehearsed: the plan (`lmsctl plan -o json`) names the test's scenario and environment, and
 * lmsRollback runs it as a rehearsal of that test — the engine checks the two again, journals which test it was, and
 * writes the §9.2 scorecard. See lmsRehearsal.txt.
 */
def call(Map userConfig = [:]) {
  Map defaults = [test: null, requestedBy: 'timer', trigger: 'MAN-004', reason: null, dryRun: false, plan: null, verifyWindow: null, backup: null, image: null,
                  databaseCredentialsId: null, kubeconfigCredentialsId: 'lms-kubeconfig', smokeCredentials: [:], notifyCredentials: [:], outDir: null]
  Map config = lmsConfig('lmsRehearsal', defaults, userConfig, ['test'])
  List args = ['plan', '-o', 'json']
  if (config.plan) args += ['--plan', config.plan]
  def read = lmsctlRun(args: args, outDir: config.outDir)
  if (read.json == null) error("lmsRehearsal: the plan could not be read (lmsctl exit ${read.status}): ${read.reason}")
  Map test = named(read.json.rehearsals, config.test)
  if (test == null) {
    error("lmsRehearsal: test: '${config.test}' is not a rehearsal of the plan (§9.1); allowed: ${read.json.rehearsals*.test.join(', ')}")
  }
  Map environment = read.json.environments[test.environment]
  if (environment == null) {
    error("lmsRehearsal: the ${test.title} test runs on '${test.environment}', an environment the plan does not have; add it to the plan's environments")
  }
  String scenario = test.scenario
  boolean database = read.json.scenarios[scenario].needsDatabase
  echo("Rehearsing ${test.title} (§9.1, ${test.frequency}, ${test.owner}): scenario ${scenario} on ${test.environment}")
  lmsRollback(scenario: scenario, env: test.environment, trigger: config.trigger, requestedBy: config.requestedBy,
      reason: config.reason ?: "${test.title} rehearsal (§9.1, ${test.frequency})", rehearsal: true, rehearsalOf: test.test, dryRun: config.dryRun,
      plan: config.plan, verifyWindow: config.verifyWindow, backup: config.backup, image: config.image,
      outDir: "${config.outDir}/${test.test}", kubeconfigCredentialsId: config.kubeconfigCredentialsId,
      smokeCredentials: config.smokeCredentials, notifyCredentials: config.notifyCredentials,
      databaseCredentialsId: database ? (config.databaseCredentialsId ?: "lms-${test.environment}-database-url") : null,
      databaseUrlVariable: environment.database?.urlEnv ?: 'LMS_DATABASE_URL')
}

@NonCPS
Map named(List rehearsals, String test) {
  return rehearsals.find { it.test == test }
}
