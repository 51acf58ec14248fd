/**
 * Runbook §3 in Jenkins: the engine's gate (lmsctl) says which prompt is open, who may decide it and
 * until when; this step shows it as an `input` restricted to those people, with reminders beside it,
 * and hands every answer — an approval, a rejection, a window that ran out — back to the engine,
 * which checks it, escalates, and says what is open next. See lmsRollbackGate.txt.
 */
def call(Map userConfig = [:]) {
  Map defaults = [trigger: null, reason: null, requestedBy: null, scenario: null, environment: null, rehearsal: false, state: null, buildUrl: null,
                  notifyCredentials: [:], signingKey: null, plan: null, outDir: null, archive: true]
  Map config = lmsConfig('lmsRollbackGate', defaults, userConfig, ['trigger', 'reason', 'requestedBy'])
  // webhook URLs and SMTP settings are secrets: bound from Jenkins credentials for the notices and reminders; the
  // controller's own key signs each decision it records (§10), verified by the engine against the plan's allowed signers
  List bindings = lmsCredentials(secrets: config.notifyCredentials, sshKey: config.signingKey)
  Map state = config.state
  withCredentials(bindings) {
    if (state == null) {
      def asked = lmsctlRun(args: common(config, ['gate', 'status', '--requested-by', config.requestedBy, '--reason', config.reason]) +
          (config.scenario ? ['--scenario', config.scenario] : []) + (config.rehearsal ? ['--rehearsal'] : []) + buildUrl(config),
          outDir: config.outDir, actor: config.requestedBy)
      if (asked.json == null) error("lmsRollbackGate: cannot tell who decides ${config.trigger} (lmsctl exit ${asked.status}): ${asked.reason}")
      state = asked.json
    }
    Map deadlines = [:]
    while (state.status == 'open') {
      Map p = state.prompt
      // the deadline the notice announced, counted on this controller from when the prompt was first seen
      if (deadlines[p.id] == null) deadlines[p.id] = System.currentTimeMillis() + (p.leftSeconds as long) * 1000
      long deadline = deadlines[p.id] as long
      Map next = null
      parallel(failFast: true,
          decision: { next = decide(config, p, deadline) },
          reminders: {
            def reminded = lmsctlRun(args: common(config, ['gate', 'remind']) + which(p), outDir: config.outDir, actor: config.requestedBy)
            if (reminded.status != 0) echo "lmsRollbackGate: reminders stopped: ${reminded.reason}"
          })
      state = next
    }
  }
  if (config.archive) archiveArtifacts(artifacts: "${config.outDir}/**", allowEmptyArchive: true)
  echo "Gate ${config.trigger}: ${state.status}${state.closedBy ? ' (' + state.closedBy + ')' : ''}${state.approvals ? ', decided by ' + state.approvals.collect { it.by + ' (' + it.role + ')' }.join(' and ') : ''}"
  return state
}

/**
 * Asks one open prompt until the engine has taken an answer to it: a decision by someone entitled,
 * a rejection, or the window running out. Returns the gate's next state, as the engine gives it.
 */
def decide(Map config, Map p, long deadline) {
  while (true) {
    long left = (deadline - System.currentTimeMillis() + 999) / 1000
    Map answer
    if (left <= 0) {
      answer = [decision: 'timeout', by: 'timeout', reason: '']
    } else {
      try {
        def given
        timeout(time: left, unit: 'SECONDS') {
          // the engine's page for the decider: what, where, why with the evidence, who asked, what happens, until when
          given = input(id: p.id, message: p.page ? p.page.join('\n') : "${p.message} ${config.reason}", ok: p.database ? 'Authorize' : 'Roll back',
              submitter: p.submitter, submitterParameter: 'APPROVER',
              parameters: [string(name: 'REASON', defaultValue: '',
                  description: "Why you decide so, at least 10 characters; journaled under your name.${p.page ? ' ' + p.page.last() : ''}")])
        }
        answer = [decision: 'approve', by: given.APPROVER, reason: given.REASON ?: '']
      } catch (e) {
        String kind = interruption(e)
        if (kind == null) throw e
        answer = kind == 'timeout' ? [decision: 'timeout', by: 'timeout', reason: ''] : [decision: 'reject', by: rejecter(e), reason: "rejected in Jenkins by ${rejecter(e)}"]
      }
    }
    List args = common(config, ['gate', 'record', '--decision', answer.decision, '--by', answer.by, '--reason', answer.reason,
                                '--requested-by', config.requestedBy]) + which(p)
    List groups = answer.decision == 'timeout' ? [] : lmsUserGroups(answer.by)
    if (groups) args += ['--groups', groups.join(',')]
    if (config.scenario) args += ['--scenario', config.scenario]
    // the decision is the approver's act: the journal's actor is that person, not the agent's OS user
    def recorded = lmsctlRun(args: args + buildUrl(config), outDir: config.outDir, actor: answer.decision == 'timeout' ? config.requestedBy : answer.by)
    if (recorded.status == 0) {
      Map next = recorded.json.gate
      if (next.status != 'open' || next.prompt.id != p.id) return next
      // the same prompt, still open for its second person (the database's two-person rule): asked at once, on the
      // same deadline, in this branch; returning would leave them no input until the reminders branch ends
      echo "${p.id}: ${answer.by} counted; ${next.prompt.message}"
      p = next.prompt
      continue
    }
    if (recorded.status != 5) error("lmsRollbackGate: the ${answer.decision} could not be recorded (lmsctl exit ${recorded.status}): ${recorded.reason}")
    echo "That ${answer.decision} does not count: ${recorded.reason}. The prompt stays open."
    // the engine's clock says the window is still open: wait for it rather than ask again at once
    if (answer.decision == 'timeout') sleep(time: 5, unit: 'SECONDS')
  }
}

def common(Map config, List verb) {
  return verb + ['--trigger', config.trigger, '-o', 'json', '--out-dir', config.outDir] + (config.plan ? ['--plan', config.plan] : []) +
      (config.environment ? ['--env', config.environment] : [])
}

def which(Map p) {
  return p.database ? ['--database'] : ['--level', "${p.level}"]
}

def buildUrl(Map config) {
  String url = config.buildUrl ?: env.BUILD_URL
  return url ? ['--build-url', url] : []
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
