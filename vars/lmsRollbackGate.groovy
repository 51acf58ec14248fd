/**
 * Runbook §3 in Jenkins: the engine's gate (lmsctl) says which prompt is open, who may decide it and
 * until when; this step shows it as an `input` restricted to those people, with reminders beside it,
 * and hands every answer — an approval, a rejection, a window that ran out — back to the engine,
 * which checks it, escalates, and says what is open next. See lmsRollbackGate.txt.
 */
def call(Map userConfig = [:]) {
  Map defaults = [trigger: null, reason: null, requestedBy: null, scenario: null, environment: null, rehearsal: false, state: null, buildUrl: null,
                  notifyCredentials: [:], signingKey: null, plan: null, outDir: null, archive: true, decisions: null, engineEnded: null, supersededBy: null]
  Map config = lmsConfig('lmsRollbackGate', defaults, userConfig, ['trigger', 'reason', 'requestedBy'])
  // webhook URLs and SMTP settings are secrets: bound from Jenkins credentials for the notices and reminders; the
  // controller's own key signs each decision it records (§10), verified by the engine against the plan's allowed signers
  List bindings = lmsCredentials(secrets: config.notifyCredentials, sshKey: config.signingKey)
  Map state = config.state
  withCredentials(bindings) {
    if (state == null) {
      state = gateStatus(config)
    }
    while (state.status == 'open') {
      Map p = state.prompt
      // the engine's clock decides: the time left is what it said with this state, never a deadline kept here
      long deadline = System.currentTimeMillis() + (p.leftSeconds as long) * 1000
      Map next = null
      if (config.decisions && config.supersededBy) {
        // the engine waits at its gate in its own process: it reminds, escalates on its clock, and takes the answers. When
        // it ends the run meanwhile as superseded (an automatic rollback took the environment over, §3.2), nobody may
        // decide it any more: the watcher fails its branch and failFast cancels the input, whose prompt Jenkins removes
        String superseded = null
        boolean done = false
        try {
          parallel(failFast: true,
              decision: {
                next = decide(config, p, deadline)
                done = true
              },
              engine: {
                lmsWaitUntil { return done || config.supersededBy() != null }
                if (!done) {
                  superseded = config.supersededBy() as String
                  error("lmsRollbackGate: the engine ended the run while ${p.id} was open")
                }
              })
        } catch (e) {
          if (superseded == null) throw e
          next = [status: 'superseded', trigger: config.trigger, closedBy: superseded, approvals: [], escalations: state.escalations ?: []]
        }
      } else if (config.decisions) {
        next = decide(config, p, deadline)
      } else {
        parallel(failFast: true,
            decision: { next = decide(config, p, deadline) },
            reminders: {
              def reminded = lmsctlRun(args: common(config, ['gate', 'remind']) + which(p), outDir: config.outDir, actor: config.requestedBy)
              if (reminded.status != 0) echo "lmsRollbackGate: reminders stopped: ${reminded.reason}"
            })
      }
      state = next
    }
  }
  if (config.archive) archiveArtifacts(artifacts: "${config.outDir}/**", allowEmptyArchive: true)
  // a superseded run is said once, by the caller, in the engine's words
  if (state.status != 'superseded') echo "Gate ${config.trigger}: ${state.status}${state.closedBy ? ' (' + state.closedBy + ')' : ''}${state.approvals ? ', decided by ' + state.approvals.collect { it.by + ' (' + it.role + ')' }.join(' and ') : ''}"
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
    // a window that ran out is the waiting engine's to record (its clock decides), and the build follows its gate; an
    // engine that ended meanwhile leaves it to gate record
    Map moved = left <= 0 && config.decisions ? followEngine(config, p) : null
    if (moved != null) return moved
    if (left <= 0) {
      answer = [decision: 'timeout', by: 'timeout', reason: '']
    } else {
      try {
        def given
        timeout(time: left, unit: 'SECONDS') {
          // the engine's page for the decider: the question as the input's message (Jenkins shows it as one heading), and what,
          // where, why with the evidence, who asked, what happens and until when in the reason's description, line by line
          given = input(id: p.id, message: p.page ? p.page[0] : "${p.message} ${config.reason}", ok: p.database ? 'Authorize' : 'Roll back',
              submitter: p.submitter, submitterParameter: 'APPROVER',
              parameters: [string(name: 'REASON', defaultValue: '',
                  description: (p.page ? p.page.drop(1).join('\n') + '\n\n' : '') + 'Why you decide so, at least 10 characters; journaled under your name.')])
        }
        answer = [decision: 'approve', by: given.APPROVER, reason: given.REASON ?: '']
      } catch (e) {
        String kind = interruption(e)
        if (kind == null) throw e
        moved = kind == 'timeout' && config.decisions ? followEngine(config, p) : null
        if (moved != null) return moved
        answer = kind == 'timeout' ? [decision: 'timeout', by: 'timeout', reason: ''] : [decision: 'reject', by: rejecter(e), reason: "rejected in Jenkins by ${rejecter(e)}"]
      }
    }
    List groups = answer.decision == 'timeout' ? [] : lmsUserGroups(answer.by)
    // to the engine waiting at its gate: it records it as gate record would, and switches at once when it decides the run;
    // an engine that ended before taking it (killed, its agent lost) leaves it to gate record, so no answer is lost
    def recorded = config.decisions ? hand(config, p, answer, groups) : null
    if (recorded == null) {
      List args = common(config, ['gate', 'record', '--decision', answer.decision, '--by', answer.by, '--reason', answer.reason,
                                  '--requested-by', config.requestedBy]) + which(p)
      if (groups) args += ['--groups', groups.join(',')]
      if (config.scenario) args += ['--scenario', config.scenario]
      // the decision is the approver's act: the journal's actor is that person, not the agent's OS user
      recorded = lmsctlRun(args: args + buildUrl(config), outDir: config.outDir, actor: answer.decision == 'timeout' ? config.requestedBy : answer.by,
          jenkinsUser: answer.decision == 'timeout' ? null : answer.by)
    }
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
    if (answer.decision == 'timeout') {
      // the engine's clock says the window is still open: it says how long, and the input stays open for that long
      Map now = gateStatus(config)
      if (now.status != 'open' || now.prompt.id != p.id) return now
      p = now.prompt
      deadline = System.currentTimeMillis() + Math.max(1L, p.leftSeconds as long) * 1000
    }
  }
}

/**
 * Hands one answer to the engine waiting at its gate (config.decisions: its folder and this build's key) and returns what
 * it says, as lmsctlRun returns gate record's answer; null when the engine ended without taking it. The answer carries an
 * HMAC under the build's key: the engine records no file anyone else put in the workspace.
 */
def hand(Map config, Map p, Map answer, List groups) {
  String dir = config.decisions.dir
  int number = (config.decisions.handed ?: 0) + 1
  config.decisions.handed = number
  String n = String.format('%04d', number)
  Map fields = [n: n, trigger: config.trigger, decision: answer.decision, by: answer.by, groups: groups, reason: answer.reason,
                level: p.database ? '' : "${p.level}".toString(), database: p.database ? 'true' : 'false', requestedBy: config.requestedBy]
  writeFile(file: "${dir}/${n}.json", text: signedAnswer(fields, config.decisions.key as String))
  String reply = "${dir}/${n}.answer.json"
  lmsWaitUntil(firstPollMillis: 100) {
    return fileExists(reply) || config.engineEnded()
  }
  if (!fileExists(reply)) {
    echo("lmsRollbackGate: the engine ended before it took ${answer.by}'s ${answer.decision}; recording it with lmsctl gate record")
    return null
  }
  Map said = lmsctlRun.parseJson(readFile(reply)) as Map
  return [status: said.exitCode as int, json: said, reason: said.reason ?: '']
}

/** The engine's gate once it has moved on from prompt {@code p} (escalated on its clock, closed); null when the engine ended first. */
def followEngine(Map config, Map p) {
  String file = "${config.decisions.dir}/gate.json"
  Map seen = null
  lmsWaitUntil {
    seen = fileExists(file) ? lmsctlRun.parseJson(readFile(file)) as Map : null
    return config.engineEnded() || (seen != null && (seen.status != 'open' || seen.prompt?.id != p.id))
  }
  return seen != null && !(seen.status == 'open' && seen.prompt?.id == p.id) ? seen : null
}

/** The answer as JSON with its mac: HMAC-SHA256 under the build's key over each field's length and text (DecisionInbox.canonical). */
@NonCPS
String signedAnswer(Map fields, String key) {
  String canonical = ['n', 'trigger', 'decision', 'by', 'groups', 'reason', 'level', 'database', 'requestedBy'].collect { String k ->
    String v = k == 'groups' ? (fields.groups ?: []).join(',') : (fields[k] == null ? '' : fields[k].toString())
    return "${v.length()}:${v};".toString()
  }.join('')
  javax.crypto.Mac mac = javax.crypto.Mac.getInstance('HmacSHA256')
  mac.init(new javax.crypto.spec.SecretKeySpec(key.decodeHex(), 'HmacSHA256'))
  return groovy.json.JsonOutput.toJson(fields + [mac: mac.doFinal(canonical.getBytes('UTF-8')).encodeHex().toString()])
}

/** The gate as the engine says it is now (lmsctl gate status: the open prompt, its deciders and the seconds left on its clock). */
def gateStatus(Map config) {
  def asked = lmsctlRun(args: common(config, ['gate', 'status', '--requested-by', config.requestedBy, '--reason', config.reason]) +
      (config.scenario ? ['--scenario', config.scenario] : []) + (config.rehearsal ? ['--rehearsal'] : []) + buildUrl(config),
      outDir: config.outDir, actor: config.requestedBy)
  if (asked.json == null) error("lmsRollbackGate: cannot tell who decides ${config.trigger} (lmsctl exit ${asked.status}): ${asked.reason}")
  return asked.json
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
