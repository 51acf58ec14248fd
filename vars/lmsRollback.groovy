/**
 * The whole runbook as one step: §4.1 checklist, the gate, the scenario's steps (read from the
 * plan) each in its own stage, the §6.1 messages as their events happen, and the §8 report.
 * See lmsRollback.txt.
 */
def call(Map userConfig = [:]) {
  Map defaults = [scenario: null, trigger: null, env: null, reason: null, requestedBy: null, dryRun: false, rehearsal: false,
                  plan: null, outDir: 'lms-rollback', kubeconfigCredentialsId: 'lms-kubeconfig', smokeCredentials: [:], notifyCredentials: [:],
                  databaseCredentialsId: null, verifyWindow: null, archive: true]
  Map config = lmsConfig('lmsRollback', defaults, userConfig, ['scenario', 'trigger', 'env', 'reason', 'requestedBy'])
  List planArgs = config.plan ? ['--plan', config.plan] : []
  String outcome = 'FAILED'
  long started = System.currentTimeMillis()
  lock(resource: "lms-rollback-${config.env}") {
    milestone(label: "lms-rollback ${config.env}")
    def plan = lmsctlRun(args: ['plan', '-o', 'json', '--out-dir', config.outDir] + planArgs, outDir: config.outDir)
    if (plan.status != 0) error("lmsRollback: the plan is not usable: ${plan.reason}")
    Map scenario = plan.json.scenarios[config.scenario] as Map
    if (scenario == null) error("lmsRollback: scenario '${config.scenario}' is not in the plan; allowed: ${plan.json.scenarios.keySet().join(', ')}")
    if (plan.json.environments[config.env] == null) error("lmsRollback: env '${config.env}' is not in the plan; allowed: ${plan.json.environments.keySet().join(', ')}")
    String running = null
    try {
      stage('Pre-rollback checklist (§4.1)') {
        for (Map item in plan.json.preRollbackChecklist.items) {
          lmsJournal(config.outDir, 'checklist.item', [step: item.step, action: item.action, owner: item.owner])
        }
      }
      stage('Decision (§3)') {
        if (config.rehearsal) {
          lmsJournal(config.outDir, 'rehearsal', [scenario: config.scenario, environment: config.env, trigger: config.trigger])
        } else {
          lmsRollbackGate(trigger: config.trigger, reason: config.reason, requestedBy: config.requestedBy, scenario: config.scenario,
              notifyCredentials: config.notifyCredentials,
              environment: config.env, plan: config.plan, outDir: config.outDir, archive: config.archive)
        }
      }
      if (config.dryRun) {
        stage('Dry run') {
          for (Map c in plan.json.communications) notify(config, c.message as String, true)
          lmsStep(step: 'lmsRollback', outDir: config.outDir, kubeconfigCredentialsId: config.kubeconfigCredentialsId, archive: config.archive) {
            lmsctlRun(args: ['status', '--env', config.env, '--out-dir', config.outDir] + planArgs, outDir: config.outDir)
          }
        }
        outcome = 'DRY RUN'
        return
      }
      lmsJournal(config.outDir, 'scenario.start', [scenario: config.scenario, title: scenario.title, target: scenario.target, environment: config.env,
                                        trigger: config.trigger, requestedBy: config.requestedBy])
      announce(config, plan.json, 'start')
      for (Map step in scenario.steps) {
        running = step.action
        stage("${step.title} (${step.budget})") {
          long t0 = System.currentTimeMillis()
          lmsJournal(config.outDir, 'step.start', [action: step.action, title: step.title, budget: step.budget])
          boolean ok = false
          String detail = ''
          try {
            detail = runStep(config, step.action as String, step.budget as String)
            ok = true
          } catch (e) {
            detail = e.message
            throw e
          } finally {
            lmsJournal(config.outDir, 'step.end', [action: step.action, title: step.title, budget: step.budget, millis: System.currentTimeMillis() - t0,
                                        ok: ok, detail: detail])
          }
        }
        announce(config, plan.json, step.action as String)
      }
      running = null
      lmsJournal(config.outDir, 'scenario.end', [scenario: config.scenario, ok: true])
      outcome = 'SUCCESS'
    } catch (e) {
      if (running) lmsJournal(config.outDir, 'scenario.stopped', [scenario: config.scenario, stoppedAt: running, reason: e.message])
      throw e
    } finally {
      if (outcome != 'DRY RUN') announce(config, plan.json, 'end')
      stage('Report (§8)') {
        List args = ['report', '--out-dir', config.outDir] + planArgs
        if (config.rehearsal) args += ['--scorecard']
        lmsctlRun(args: args, outDir: config.outDir)
        junit(testResults: "${config.outDir}/rollback-report-junit.xml,${config.outDir}/rehearsal-scorecard-junit.xml", allowEmptyResults: true)
        if (config.archive) archiveArtifacts(artifacts: "${config.outDir}/**", allowEmptyArchive: true)
      }
      long minutes = (System.currentTimeMillis() - started) / 60000
      currentBuild.description = "${config.rehearsal ? 'rehearsal ' : ''}${config.scenario} · ${config.trigger} · ${config.env} · ${outcome} · ${minutes} min"
    }
  }
}

/** Runs one step of the scenario; returns a line for the journal. */
def runStep(Map config, String action, String budget) {
  String holder = env.BUILD_TAG ?: "jenkins-build-${currentBuild.number}"
  Map common = [env: config.env, budget: budget, plan: config.plan, outDir: config.outDir, archive: config.archive]
  switch (action) {
    case 'announce':
      return 'announced on the war room and the status page'
    case 'switch-traffic':
      def s = lmsRollbackSwitch(common + [kubeconfigCredentialsId: config.kubeconfigCredentialsId, leaseHolder: holder])
      return s.changed ? 'traffic switched to Blue' : 'traffic was already on Blue'
    case 'verify-blue':
      lmsVerifyBlue(common + [kubeconfigCredentialsId: config.kubeconfigCredentialsId, window: config.verifyWindow])
      return 'Blue verified'
    case 'stop-green':
      lmsStopGreen(common + [kubeconfigCredentialsId: config.kubeconfigCredentialsId, leaseHolder: holder])
      return 'Green stopped, its logs preserved'
    case 'database-rollback':
      lmsDatabaseRollback(common + [kubeconfigCredentialsId: config.kubeconfigCredentialsId, rehearsal: config.rehearsal,
                                    databaseCredentialsId: config.databaseCredentialsId])
      return 'database rolled back'
    case 'verify-data':
      return 'integrity checks ran with the database rollback'
    case 'confirm':
      lmsSmokeTest(common + [credentials: config.smokeCredentials])
      return 'smoke tests passed'
    default:
      // scenario D restores a named backup and is started by a person: lmsctl restore --dump FILE
      error("lmsRollback: step '${action}' belongs to scenario D, which restores a backup named by a person; run 'lmsctl restore --env ${config.env} --trigger ${config.trigger} --dump FILE' (§5.4)")
  }
}

/** The §6.1 messages the plan ties to this event; a message that cannot be sent never stops the rollback. */
def announce(Map config, Map plan, String event) {
  for (Map c in plan.communications) {
    if (c.after == event) notify(config, c.message as String, false)
  }
}

def notify(Map config, String message, boolean dryRun) {
  List args = ['notify', '--message', message, '--out-dir', config.outDir] + (config.plan ? ['--plan', config.plan] : [])
  if (dryRun) args += ['--dry-run']
  // webhook URLs and SMTP settings are secrets: bound from Jenkins credentials, like the kubeconfig
  List bindings = []
  (config.notifyCredentials ?: [:]).each { variable, id -> bindings << string(credentialsId: id, variable: variable) }
  def r
  withCredentials(bindings) {
    r = lmsctlRun(args: args, outDir: config.outDir)
  }
  if (r.status != 0) echo "Message ${message} was not delivered (${r.reason}); the rollback goes on"
}

