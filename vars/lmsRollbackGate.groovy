/**
 * Runbook §3: the people who may decide a rollback decide it, within their window, or the gate
 * escalates. See lmsRollbackGate.txt.
 */
def call(Map userConfig = [:]) {
  Map defaults = [trigger: null, reason: null, requestedBy: null, scenario: null, environment: null, evidence: null, buildUrl: null,
                  notifyCredentials: [:], plan: null, outDir: 'lms-rollback', archive: true]
  Map config = lmsConfig('lmsRollbackGate', defaults, userConfig, ['trigger', 'reason', 'requestedBy'])
  List planArgs = config.plan ? ['--plan', config.plan] : []
  List gateArgs = ['gate', 'plan', '--trigger', config.trigger, '-o', 'json', '--out-dir', config.outDir] + planArgs
  if (config.scenario) gateArgs += ['--scenario', config.scenario]
  // webhook URLs and SMTP settings are secrets: bound from Jenkins credentials for the notices and reminders
  Map decision = lmsStep(step: 'lmsRollbackGate', outDir: config.outDir, archive: config.archive, secrets: config.notifyCredentials) {
    def gate = lmsctlRun(args: gateArgs, outDir: config.outDir)
    if (gate.status != 0) error("lmsRollbackGate: cannot tell who decides ${config.trigger}: ${gate.reason}")
    lmsJournal(config.outDir, 'gate.requested', [trigger: config.trigger, requestedBy: config.requestedBy, reason: config.reason])
    if (!gate.json.approvalNeeded) {
      lmsJournal(config.outDir, 'gate.not-required', [trigger: config.trigger])
      echo "${config.trigger} is automatic: no approval needed, the rollback starts at once (§2.1)"
      return [decision: 'automatic', by: 'system', role: 'System (auto-triggered)', level: -1]
    }
    Map decided = null
    for (int level = 0; level < gate.json.levels.size() && decided == null; level++) {
      decided = askLevel(config, gate.json.levels[level] as Map, level, level == 0 ? null : gate.json.levels[level - 1].title)
    }
    if (decided == null) {
      currentBuild.result = 'ABORTED'
      error("lmsRollbackGate: nobody decided ${config.trigger} within any window (${gate.json.levels.collect { it.title }.join(' -> ')}); the rollback was not authorized")
    }
    if (gate.json.twoPersonRule) askDatabase(config, gate.json.twoPersonRule as Map, gate.json.levels[0].windowSeconds as long)
    return decided
  }
  return decision
}

/**
 * Opens a prompt the way a person learns of it: `lmsctl gate notify` tells its deciders (with the
 * link to this build's input page) before the input waits, and `lmsctl gate remind` runs beside
 * the input until a decision, rejection or timeout is recorded, which closes the prompt in the
 * journal and so cancels the reminders still pending. Returns what `decide` returned.
 */
def prompt(Map config, List which, long windowSeconds, Closure decide) {
  List args = ['gate', 'notify', '--trigger', config.trigger] + which + ['--requested-by', config.requestedBy, '--reason', config.reason,
                                                                         '-o', 'json', '--out-dir', config.outDir]
  if (config.scenario) args += ['--scenario', config.scenario]
  if (config.environment) args += ['--env', config.environment]
  if (config.evidence) args += ['--evidence', config.evidence]
  String buildUrl = config.buildUrl ?: env.BUILD_URL
  if (buildUrl) args += ['--build-url', buildUrl]
  if (config.plan) args += ['--plan', config.plan]
  def notice = lmsctlRun(args: args, outDir: config.outDir)
  if (notice.status != 0) echo "lmsRollbackGate: not every decider could be notified (${notice.reason}); the prompt is open regardless"
  // the deadline the message announced: the window counts from the prompt's opening, notice time included
  long left = notice.json?.leftSeconds != null ? notice.json.leftSeconds as long : windowSeconds
  long deadline = System.currentTimeMillis() + left * 1000
  def outcome = null
  parallel(failFast: true,
      decision: { outcome = decide(deadline) },
      reminders: {
        def reminded = lmsctlRun(args: ['gate', 'remind', '--trigger', config.trigger] + which + ['-o', 'json', '--out-dir', config.outDir] +
            (config.plan ? ['--plan', config.plan] : []), outDir: config.outDir)
        if (reminded.status != 0) echo "lmsRollbackGate: reminders stopped: ${reminded.reason}"
      })
  return outcome
}

/** One level of escalation: asks until someone entitled decides, or the window closes (null). */
def askLevel(Map config, Map level, int n, String previousTitle) {
  String note = previousTitle ? " (escalated: ${previousTitle} did not answer)" : ''
  Map outcome = prompt(config, ['--level', "${n}"], level.windowSeconds as long) { long deadline ->
    while (true) {
      long left = (deadline - System.currentTimeMillis() + 999) / 1000
      if (left <= 0) return timedOut(config, n)
      def answer
      try {
        timeout(time: left, unit: 'SECONDS') {
          answer = input(id: "LmsGate${n}", message: "Roll back for ${config.trigger}? ${level.title} decides${note}. Requested by ${config.requestedBy}: ${config.reason}",
              ok: 'Roll back', submitter: level.submitter, submitterParameter: 'APPROVER',
              parameters: [string(name: 'REASON', defaultValue: '', description: 'Why — at least 10 characters, journaled')])
        }
      } catch (e) {
        String kind = interruption(e)
        if (kind == 'timeout') return timedOut(config, n)
        if (kind != 'rejected') throw e
        String by = rejecter(e)
        def rejected = lmsctlRun(args: decisionArgs(config, 'reject', by, "rejected in Jenkins by ${by}", n), outDir: config.outDir)
        if (rejected.status == 0) return [decision: 'reject', by: by, role: rejected.json.role, level: n]
        echo "A rejection by ${by} does not count: ${rejected.reason}. The prompt stays open."
        continue
      }
      def accepted = lmsctlRun(args: decisionArgs(config, 'approve', answer.APPROVER, answer.REASON ?: '', n), outDir: config.outDir)
      if (accepted.status == 0) return [decision: 'approve', by: answer.APPROVER, role: accepted.json.role, reason: answer.REASON, level: n]
      echo "That decision does not count: ${accepted.reason}. The prompt opens again."
    }
  }
  if (outcome?.decision == 'reject') {
    currentBuild.result = 'ABORTED'
    error("lmsRollbackGate: the rollback was rejected by ${outcome.by} (${outcome.role})")
  }
  return outcome
}

/** §4.2 step 4: the DBA and the Release Commander, two different people, neither the requester. */
def askDatabase(Map config, Map rule, long windowSeconds) {
  String submitter = rule.holders.values().flatten().unique().join(',')
  Map outcome = prompt(config, ['--database'], windowSeconds) { long deadline ->
    while (true) {
      long left = (deadline - System.currentTimeMillis() + 999) / 1000
      if (left <= 0) return databaseTimedOut(config)
      def answer
      try {
        timeout(time: left, unit: 'SECONDS') {
          answer = input(id: 'LmsDatabaseGate', message: "Database rollback for ${config.trigger}: needs ${rule.titles.join(' and ')}, two different people, neither ${config.requestedBy}",
              ok: 'Authorize', submitter: submitter, submitterParameter: 'APPROVER',
              parameters: [string(name: 'REASON', defaultValue: '', description: 'Why — at least 10 characters, journaled')])
        }
      } catch (e) {
        String kind = interruption(e)
        if (kind == null) throw e
        if (kind == 'timeout') return databaseTimedOut(config)
        String by = rejecter(e)
        lmsctlRun(args: decisionArgs(config, 'reject', by, "rejected in Jenkins by ${by}", 0) + ['--database'], outDir: config.outDir)
        return [decision: 'reject', by: by]
      }
      List args = decisionArgs(config, 'approve', answer.APPROVER, answer.REASON ?: '', 0) + ['--database']
      def accepted = lmsctlRun(args: args, outDir: config.outDir)
      if (accepted.status != 0) {
        echo "That authorization does not count: ${accepted.reason}. The prompt opens again."
      } else if (accepted.json.databaseAuthorized) {
        echo "Database rollback authorized by ${accepted.json.databaseApprovers.join(' and ')}"
        return [decision: 'authorized', json: accepted.json]
      } else {
        echo "${answer.APPROVER} authorized; one more person is needed"
      }
    }
  }
  if (outcome.decision == 'authorized') return outcome.json
  currentBuild.result = 'ABORTED'
  error(outcome.decision == 'timeout' ? "lmsRollbackGate: the database rollback was not authorized in time by ${rule.titles.join(' and ')}"
      : "lmsRollbackGate: the database rollback was rejected by ${outcome.by}")
}

def databaseTimedOut(Map config) {
  recordTimeout(config, ['--database'])
  return [decision: 'timeout']
}

def decisionArgs(Map config, String decision, String by, String reason, int level) {
  List args = ['gate', 'record', '--trigger', config.trigger, '--decision', decision, '--by', by, '--reason', reason, '--level', "${level}",
               '--requested-by', config.requestedBy, '-o', 'json', '--out-dir', config.outDir]
  List groups = lmsUserGroups(by)
  if (groups) args += ['--groups', groups.join(',')]
  if (config.plan) args += ['--plan', config.plan]
  return args
}

def timedOut(Map config, int level) {
  recordTimeout(config, ['--level', "${level}"])
  return null
}

/** Journals that nobody decided the prompt (`which`: its level, or --database) in time, which closes it. */
def recordTimeout(Map config, List which) {
  lmsctlRun(args: ['gate', 'record', '--trigger', config.trigger] + which + ['--decision', 'timeout', '--by', 'timeout',
                   '--requested-by', config.requestedBy, '--out-dir', config.outDir] + (config.plan ? ['--plan', config.plan] : []), outDir: config.outDir)
}


/** 'timeout', 'rejected', or null: told apart by the cause's class, as Jenkins reports them. */
@NonCPS
String interruption(e) {
  if (!e.getClass().getName().endsWith('FlowInterruptedException')) return null
  def causes = e.getCauses()
  if (causes.any { it.getClass().getName().endsWith('ExceededTimeout') }) return 'timeout'
  if (causes.any { it.getClass().getName().endsWith('Rejection') }) return 'rejected'
  return null
}

@NonCPS
String rejecter(e) {
  def cause = e.getCauses().find { it.getClass().getName().endsWith('Rejection') }
  return cause?.getUser()?.getId() ?: 'unknown'
}
