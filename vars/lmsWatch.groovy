/**
 * §2.1/§2.2 after a release: the engine's trigger watch (`lmsctl watch`) over the first capability window. An
 * automatic trigger that holds runs the whole rollback in the engine — the alert, the switch, Blue's verification,
 * Green's shutdown, the report — with no approval; a manual one that holds asks for a decision by the authority the
 * engine names. Jenkins binds the credentials, shows the watch's progress, publishes and archives. See lmsWatch.txt.
 */
def call(Map userConfig = [:]) {
  Map defaults = [env: null, duration: null, interval: null, scenario: null, plan: null, dryRun: false, outDir: null,
                  kubeconfigCredentialsId: 'lms-kubeconfig', smokeCredentials: [:], notifyCredentials: [:], databaseCredentialsId: null,
                  databaseUrlVariable: 'LMS_DATABASE_URL', archive: true]
  Map config = lmsConfig('lmsWatch', defaults, userConfig, ['env'])
  List args = ['watch', '--env', config.env, '--out-dir', config.outDir, '-o', 'json']
  if (config.duration) args += ['--for', config.duration]
  if (config.interval) args += ['--interval', config.interval]
  if (config.scenario) args += ['--scenario', config.scenario]
  if (config.plan) args += ['--plan', config.plan]
  if (config.dryRun) args << '--dry-run'
  def watched
  // no lock: the watch holds the environment's Lease only while it rolls back, and a person may roll back meanwhile
  withCredentials(lmsRollback.credentials(config)) {
    watched = lmsctlRun(args: args, outDir: config.outDir)
  }
  junit(testResults: "${config.outDir}/*-junit.xml", allowEmptyResults: true)
  if (config.archive) archiveArtifacts(artifacts: "${config.outDir}/**", allowEmptyArchive: true)
  Map json = watched.json
  if (json == null) error("lmsWatch: lmsctl watch gave no answer (exit ${watched.status}): ${watched.reason}")
  String held = json.evidence ? "${json.evidence.trigger} held (${json.evidence.detail})" : 'no trigger held'
  if (watched.status == 0) {
    echo("lmsWatch: no trigger held in ${json.rounds} evaluations (§2)")
  } else if (watched.status == 10 && config.dryRun) {
    echo("lmsWatch: ${held}: the release would be rolled back (dry run)")
  } else if (watched.status == 10) {
    error("lmsWatch: ${held}: the release was rolled back automatically (§2.1); the report is archived from ${config.outDir}")
  } else if (watched.status == 11) {
    currentBuild.result = 'UNSTABLE'
    Map first = json.recommendation.gate.levels[0]
    echo("lmsWatch: ${held}: a rollback is recommended; ${first.title} (${first.submitter}) decides: start the Rollback job with TRIGGER ${json.evidence.trigger}")
  } else {
    error("lmsWatch: ${held}; the watch ended with lmsctl exit ${watched.status}: ${watched.reason}")
  }
  return json
}
