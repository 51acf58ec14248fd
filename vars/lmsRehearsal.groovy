/**
 * One test of §9.1 rehearsed: the plan (`lmsctl plan -o json`) names the test's scenario and environment, and
 * lmsRollback runs it as a rehearsal of that test — the engine checks the two again, journals which test it was, and
 * writes the §9.2 scorecard. See lmsRehearsal.txt.
 */
def call(Map userConfig = [:]) {
  Map defaults = [test: null, requestedBy: 'timer', trigger: 'MAN-004', reason: null, dryRun: false, plan: null, verifyWindow: null, backup: null, image: null,
                  databaseCredentialsId: null, kubeconfigCredentialsId: 'lms-kubeconfig', smokeCredentials: [:], notifyCredentials: [:], outDir: null]
  Map config = lmsConfig('lmsRehearsal', defaults, userConfig, ['test'])
  Map plan = lmsPlan(plan: config.plan, outDir: config.outDir)
  Map test = named(plan.rehearsals, config.test)
  if (test == null) {
    error("lmsRehearsal: test: '${config.test}' is not a rehearsal of the plan (§9.1); allowed: ${plan.rehearsals*.test.join(', ')}")
  }
  Map environment = plan.environments[test.environment]
  if (environment == null) {
    error("lmsRehearsal: the ${test.title} test runs on '${test.environment}', an environment the plan does not have; add it to the plan's environments")
  }
  String scenario = test.scenario
  boolean database = plan.scenarios[scenario].needsDatabase
  echo("Rehearsing ${test.title} (§9.1, ${test.frequency}, ${test.owner}): scenario ${scenario} on ${test.environment}")
  String outDir = "${config.outDir}/${test.test}"
  // lmsRollback fills it: whether its engine started the run, and why it stopped
  Map outcome = [:]
  try {
    lmsRollback(scenario: scenario, env: test.environment, trigger: config.trigger, requestedBy: config.requestedBy,
        reason: config.reason ?: "${test.title} rehearsal (§9.1, ${test.frequency})", rehearsal: true, rehearsalOf: test.test, dryRun: config.dryRun,
        plan: config.plan, verifyWindow: config.verifyWindow, backup: config.backup, image: config.image,
        outDir: outDir, kubeconfigCredentialsId: config.kubeconfigCredentialsId,
        smokeCredentials: config.smokeCredentials, notifyCredentials: config.notifyCredentials,
        databaseCredentialsId: database ? (config.databaseCredentialsId ?: "lms-${test.environment}-database-url") : null,
        databaseUrlVariable: environment.database?.urlEnv ?: 'LMS_DATABASE_URL', outcome: outcome)
  } catch (e) {
    // a rehearsal the engine ran has told the war room itself; one that never started (refused at its preflight: an
    // environment the cluster lacks; or never reaching the engine: a credential, plugin or tool missing on this agent)
    // would fail where nobody looks: DevOps, who own the rehearsals, are told which and why
    if (!config.dryRun && !outcome.started) notRun(config, test, outDir, e.message ?: e.getClass().getSimpleName())
    throw e
  }
}

/** Tells the plan's DevOps channels that {@code test} could not start; says so on the console when even that fails. */
def notRun(Map config, Map test, String outDir, String why) {
  List bindings = lmsCredentials(secrets: config.notifyCredentials)
  List args = ['notify', '--after', 'rehearsal-not-run', '--rehearsal-of', test.test, '--reason', why]
  if (config.plan) args += ['--plan', config.plan]
  try {
    withCredentials(bindings) {
      def told = lmsctlRun(args: args, outDir: outDir, actor: config.requestedBy)
      echo(told.status == 0 ? "lmsRehearsal: DevOps were told that the ${test.title} rehearsal did not run: ${why}"
          : "lmsRehearsal: DevOps could not be told that the ${test.title} rehearsal did not run (lmsctl exit ${told.status}): ${told.reason}")
    }
  } catch (told) {
    echo("lmsRehearsal: DevOps could not be told that the ${test.title} rehearsal did not run (${told.message}); it did not run because: ${why}")
  }
}

@NonCPS
Map named(List rehearsals, String test) {
  return rehearsals.find { it.test == test }
}
