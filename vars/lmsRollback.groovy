/**
 * The whole runbook as one step, and only Jenkins' share of it: lock and milestone, a stage per
 * step, the input prompts of the engine's gate, credentials, JUnit and the archive. The run itself
 * — preflight, decision, steps, messages, report — is the engine's (`lmsctl rollback`): the Preflight
 * stage takes it to its decision, then one process carries it to its end while the steps' stages
 * follow it. See lmsRollback.txt.
 */
def call(Map userConfig = [:]) {
  Map defaults = [scenario: null, trigger: null, env: null, reason: null, requestedBy: null, dryRun: false, rehearsal: false, rehearsalOf: null,
                  plan: null, verifyWindow: null, backup: null, image: null, incident: null, deployment: null, outDir: null, kubeconfigCredentialsId: 'lms-kubeconfig',
                  smokeCredentials: [:], notifyCredentials: [:], databaseCredentialsId: null, databaseUrlVariable: 'LMS_DATABASE_URL', signingKey: null,
                  leaseHolder: null, buildUrl: null, archive: true, capabilityOverride: null, dataReviewers: null, outcome: null]
  Map config = lmsConfig('lmsRollback', defaults, userConfig, ['scenario', 'trigger', 'env', 'reason', 'requestedBy'])
  lmsPlugins('lmsRollback')
  String outcome = 'FAILED'
  String failure = null
  // the engine ended or stopped the run itself (refused, rejected, a step failed): it has reported and told the war room
  boolean engineEnded = false
  // the engine's preflight answered with a run (not refused, not unanswered): only such a run can be interrupted
  boolean runStarted = false
  // how the engine's one process for the steps ended (null until it has): the stages follow it
  Map ended = null
  long started = System.currentTimeMillis()
  lock(resource: "lms-rollback-${config.env}") {
    milestone(label: "lms-rollback ${config.env}")
    withSecrets(config) {
      try {
        if (config.dryRun) {
          stage('Dry run') {
            def shown = engine(config, ['--dry-run'])
            echo(shown.json?.text ? shown.json.text.join('\n') : shown.text)
            if (shown.status != 0) error("lmsRollback: the dry run found this rollback could not run (lmsctl exit ${shown.status}): ${shown.reason}")
          }
          outcome = 'DRY RUN'
          return
        }
        def run
        stage('Preflight') {
          // the engine checks everything the run will need, then opens its gate (telling the deciders)
          run = engine(config, ['--through', 'decision'])
          if (run.json == null) error("lmsRollback: nothing was rolled back: lmsctl rollback gave no answer (exit ${run.status}): ${run.reason}")
          engineEnded = run.json.state == 'refused'
          if (run.json.state == 'refused') error("lmsRollback: nothing was rolled back, the preflight refused: ${run.json.reason}")
          runStarted = run.json.state != 'already-done'
        }
        if (run.json.state == 'already-done') {
          // a second build after the rollback: the engine asked and sent nothing, and says who did it
          echo("lmsRollback: nothing to do: ${run.json.reason}")
          outcome = 'NOTHING TO DO'
          return
        }
        // the steps: ONE engine process carries the run to its end, and a stage per step follows it (#22). Where a person
        // decides, that process is already waiting at its gate when the input is shown, and takes the answer from this
        // build (lmsRollbackGate hands it over, proven by this build's key): nothing but the engine stands between the
        // deciding click and the switch — no process start, no branch the controller must notice ending (#35)
        boolean asking = run.json.state == 'awaiting-decision'
        if (!asking) {
          stage('Decision (§3)') {
            echo(run.json.gate?.status == 'not-required' ? (run.json.gate.closedBy ?: "${config.trigger} is automatic: no approval needed (§2.1)")
                : "Decided: ${run.json.gate?.status}")
            if (run.status != 0) error("lmsRollback: the run did not pass its gate (lmsctl exit ${run.status}): ${run.reason}")
          }
        }
        Map decisions = asking ? [dir: "${config.outDir}/decisions".toString(), key: decisionKey()] : null
        List steps = run.json.plan
        // the engine is waiting for a person before a step (askPerson): that step's bound is not counting yet
        boolean askingPerson = false
        parallel(
            engine: {
              Map last = null
              try {
                last = engine(config, asking ? ['--decisions-from', decisions.dir] : [], asking ? ["LMS_DECISIONS_KEY=${decisions.key}".toString()] : [])
                // the engine waits for a person before a step (§1.2 data review, §4.1 pending transactions): Jenkins asks
                // whom it names, records the answer the way it says, and starts it again; the step's stage waits meanwhile
                while (last.status == 5 && last.json?.state == 'awaiting-decision' && last.json?.person) {
                  // the person's own budget where the plan gives one (the DBA's pause, §4.1 #4), else the step's
                  Map waiting = steps.find { it.action == last.json.stoppedAt } ?: [budgetSeconds: 3600]
                  askingPerson = true
                  askPerson(config, last.json.person, (last.json.person.budgetSeconds ?: waiting.budgetSeconds) as long)
                  askingPerson = false
                  last = engine(config, [])
                }
              } finally {
                // however this branch ends (the run's end, an empty answer, an abort), the stages stop waiting
                ended = last ?: [status: -1, json: null, reason: 'no answer from lmsctl: its sh step failed or was aborted (agent lost?)']
              }
            },
            stages: {
              if (asking) {
                stage('Decision (§3)') {
                  Map gate = lmsRollbackGate(trigger: config.trigger, reason: config.reason, requestedBy: config.requestedBy, scenario: config.scenario,
                      environment: config.env, state: run.json.gate, buildUrl: config.buildUrl, plan: config.plan, outDir: config.outDir,
                      signingKey: config.signingKey, archive: false, decisions: decisions, engineEnded: { -> ended != null },
                      supersededBy: { -> ended?.json?.state == 'superseded' ? (ended.json.reason ?: 'superseded') as String : null })
                  if (gate.status == 'superseded') {
                    // an automatic rollback took the environment over while the prompt was open (§3.2: it is immediate); the
                    // engine ended this run, changing nothing, and told the war room: nothing here failed, nothing was built
                    outcome = 'SUPERSEDED'
                    currentBuild.result = 'NOT_BUILT'
                    error("lmsRollback: ${supersededLine(gate.closedBy as String)}")
                  }
                  if (gate.status != 'approved') {
                    // the engine ends the run at its gate: rejected or undecided, it says so, tells the war room and reports
                    lmsWaitUntil { return ended != null }
                    outcome = 'NOT AUTHORIZED'
                    currentBuild.result = 'ABORTED'
                    error("lmsRollback: nothing was rolled back: ${gate.status == 'rejected' ? 'rejected by ' + gate.closedBy : 'nobody decided in time (' + gate.closedBy + ')'}")
                  }
                  echo("Decided: ${gate.status}, by ${gate.approvals.collect { it.by + ' (' + it.role + ')' }.join(' and ')}")
                }
              }
              for (int i = 0; i < steps.size(); i++) {
                Map step = steps[i]
                stage("${step.title} (${step.budget})") {
                  Map done = follow(config, step, (run.json.stepGraceSeconds ?: 0) as long, { -> ended }, { -> askingPerson })
                  if (done?.overrun) {
                    // the engine reported the step overrun (its budget plus the plan's grace): the stage stops waiting and
                    // fails with the engine's reason; the engine lets the step finish and reports how the run ends
                    error("lmsRollback: ${step.action} overran its bound of ${done.boundSeconds}s (budget ${step.budget} + grace ${done.grace}): ${done.reason}")
                  }
                  if (done == null || !done.ok) {
                    String why = done?.detail ?: ended?.json?.reason ?: ended?.reason
                    error("lmsRollback: stopped at ${step.action} (lmsctl exit ${ended?.status}): ${why}")
                  }
                  echo("${step.title}: ${done.resumed ? 'done by an earlier call' : 'done'} in ${done.millis / 1000}s of ${step.budget}: ${done.detail ?: ''}")
                }
              }
            })
        if (ended.status != 0) error("lmsRollback: the run did not complete (lmsctl exit ${ended.status}): ${ended.json?.reason ?: ended.reason}")
        outcome = 'SUCCESS'
      } catch (Throwable e) {
        failure = stopOf(e)
        // the engine stopped the run itself (a step failed), or ended it as superseded: it has reported and told the war room
        // (or completed it after a stage stopped waiting for an overrun step)
        if (ended?.json?.state in ['stopped', 'superseded', 'completed']) engineEnded = true
        throw e
      } finally {
        stage('Report (§8)') {
          if (failure != null && runStarted && !engineEnded && outcome != 'NOT AUTHORIZED') {
            // the build ends mid-run: the engine records where the run stopped, reports it and tells the war room how it
            // continues (the next build does) — unless the engine ended or stopped the run itself, which it then says
            def said = engine(config, ['--interrupted', "build ${env.BUILD_NUMBER ?: '?'} ended before the run did: ${failure}"])
            if (said.json?.reason) echo("lmsRollback: ${said.json.reason}")
          }
          // the engine wrote the report when the run ended; Jenkins publishes and archives what this build wrote
          junit(testResults: "${config.outDir}/*-junit.xml", allowEmptyResults: true)
          if (config.archive) archiveArtifacts(artifacts: "${config.outDir}/**", allowEmptyArchive: true)
        }
        // the caller (lmsRehearsal) learns whether the engine started the run at all, and why not
        if (config.outcome != null) config.outcome.putAll([started: runStarted, outcome: outcome, failure: failure])
        long minutes = (System.currentTimeMillis() - started) / 60000
        // a timer build may rehearse two tests: each adds its line
        currentBuild.description = (currentBuild.description ? currentBuild.description + ' | ' : '') + "${config.rehearsalOf ? config.rehearsalOf + ' rehearsal ' : config.rehearsal ? 'rehearsal ' : ''}${config.scenario} · ${config.trigger} · ${config.env} · ${outcome} · ${minutes} min"
      }
    }
  }
}

/**
 * The build's one line for a run the engine ended as superseded, from the engine's reason ("superseded while waiting for its
 * decision: the automatic rollback for AUTO-001 (HOLDER) took the environment over at T; …"); the reason as it is otherwise.
 */
@NonCPS
String supersededLine(String reason) {
  def m = reason =~ /the automatic rollback for (\S+) \((.*?)\) took the environment over at ([^;]+);/
  if (!m.find()) return "superseded: ${reason}; nothing was changed by this build".toString()
  return "superseded by the automatic rollback for ${m.group(1)} (${m.group(2)}) at ${m.group(3)}; nothing was changed by this build".toString()
}

/** One line for why the build stopped: an abort says who or what, anything else its message. */
@NonCPS
String stopOf(Throwable e) {
  if (e.getClass().getName().endsWith('FlowInterruptedException')) {
    def causes = e.getCauses().collect { c -> c.getShortDescription() }
    return "the build was aborted${causes ? ' (' + causes.join('; ') + ')' : ''}"
  }
  return e.message ?: e.getClass().getSimpleName()
}

/**
 * Waits for the engine's file of {@code step} (lmsctl writes OUT_DIR/steps/ACTION.json as each step ends), its report of
 * the step overrun (ACTION.overrun.json, at the step's budget plus the plan's grace), or the engine's end, whichever comes
 * first, and returns the step's outcome, the overrun (with {@code overrun: true}), or null when the engine ended without
 * either. The engine's report is what ends an overrun; were it never to come (its process stuck), the stage stops anyway a
 * minute after that bound, counted while the engine is not waiting for a person. lmsWaitUntil, not sh: no process per
 * stage, quiet (the console holds the engine's lines, not the polls), and never more than about a second late, where
 * waitUntil alone noticed a long step's end up to 15 s after it.
 */
def follow(Map config, Map step, long graceSeconds, Closure engineEnd, Closure askingPerson) {
  String file = "${config.outDir}/steps/${step.action}.json"
  String overrun = "${config.outDir}/steps/${step.action}.overrun.json"
  long boundMillis = ((step.budgetSeconds ?: 3600) as long) * 1000 + graceSeconds * 1000
  long counted = System.currentTimeMillis()
  boolean silent = false
  lmsWaitUntil {
    if (askingPerson()) counted = System.currentTimeMillis()
    silent = System.currentTimeMillis() - counted > boundMillis + 60000
    return fileExists(file) || fileExists(overrun) || engineEnd() != null || silent
  }
  if (!fileExists(file) && fileExists(overrun)) return (lmsctlRun.parseJson(readFile(overrun)) as Map) + [overrun: true]
  if (!fileExists(file) && engineEnd() == null) {
    return [overrun: true, boundSeconds: (boundMillis / 1000) as long, grace: "${graceSeconds}s".toString(),
            reason: "the engine reported neither the step's end nor its overrun a minute past that bound (its process stuck?)"]
  }
  // the file is read by a step, then parsed outside CPS: no parser is alive when the controller saves the program
  String text = fileExists(file) ? readFile(file) : null
  Map done = text == null ? null : lmsctlRun.parseJson(text) as Map
  // after a failed step the engine stops the run (its report, the war room) and exits: the stage fails with its exit code
  if (done == null || !done.ok) lmsWaitUntil { return engineEnd() != null }
  return done
}

/** The engine's question as an input for the people it names, within the step's budget; recorded under the answerer's name. */
def askPerson(Map config, Map person, long budgetSeconds) {
  Map answer
  // the engine gives the step's budget in seconds: the plan's budget syntax (1h30m, 500ms, 5-10m) is the engine's alone
  timeout(time: budgetSeconds, unit: 'SECONDS') {
    // what the person must do; the engine's message adds a terminal's way to record it, which is Jenkins' own here
    answer = input(id: 'LmsPerson', message: person.task ?: person.message, ok: 'Done', submitter: (config.dataReviewers ?: person.submitters.join(',')),
        submitterParameter: 'ANSWERED_BY', parameters: [string(name: 'ANSWER', defaultValue: '', description: "${person.ask} (required)")])
  }
  if (!answer.ANSWER?.trim()) error("lmsRollback: the answer to \"${person.ask}\" was empty; the run waits. Run the build again to be asked again")
  List args = ['audit', 'record', '--type', person.record]
  // the groups that count are those Jenkins knows the answerer by (the input's submitter let only the role's people answer)
  Map fields = person.fields.containsKey('groups') ? person.fields + [groups: lmsUserGroups(answer.ANSWERED_BY).join(',')] : person.fields
  fields.each { k, v -> args += ['--field', "${k}=${v}"] }
  args += ['--field', "${person.answerField}=${answer.ANSWER}", '--out-dir', config.outDir]
  def recorded = lmsctlRun(args: args, outDir: config.outDir, actor: answer.ANSWERED_BY)
  if (recorded.status != 0) error("lmsRollback: the answer could not be recorded (lmsctl exit ${recorded.status}): ${recorded.reason}")
}

/** This build's key for the answers it hands the engine (LMS_DECISIONS_KEY): random, never written to the workspace. */
@NonCPS
String decisionKey() {
  byte[] key = new byte[32]
  new java.security.SecureRandom().nextBytes(key)
  return key.encodeHex().toString()
}

/** One call of the engine's run: every stage passes the same run's identity; the engine resumes it. {@code variables}: more of its environment. */
def engine(Map config, List extra, List variables = []) {
  List args = ['rollback', '--scenario', config.scenario, '--env', config.env, '--trigger', config.trigger, '--requested-by', config.requestedBy,
               '--reason', config.reason, '--out-dir', config.outDir, '-o', 'json',
               '--lease-holder', config.leaseHolder ?: "jenkins ${env.JOB_NAME ?: 'lms-rollback'} (${config.env})"]
  String buildUrl = config.buildUrl ?: env.BUILD_URL
  if (buildUrl) args += ['--build-url', buildUrl]
  // each build has its own folder (lms-rollback/build-N): the engine continues a run an earlier build there lost
  int slash = config.outDir.lastIndexOf('/')
  if (slash > 0) args += ['--continue-from', config.outDir.substring(0, slash)]
  if (config.plan) args += ['--plan', config.plan]
  if (config.verifyWindow) args += ['--window', config.verifyWindow]
  if (config.rehearsal) args += ['--rehearsal']
  if (config.rehearsalOf) args += ['--rehearsal-of', config.rehearsalOf]
  if (config.backup) args += ['--dump', config.backup]
  if (config.incident) args += ['--incident', config.incident]
  if (config.deployment) args += ['--deployment', config.deployment]
  if (config.image) args += ['--image', config.image]
  if (config.capabilityOverride) args += ['--capability-override', config.capabilityOverride]
  return lmsctlRun(args: args + extra, outDir: config.outDir, actor: config.requestedBy, env: variables)
}

/**
 * withCredentials of {@link #credentials}; a credential Jenkins cannot find fails the build with one sentence naming
 * every id the rollback binds and what each is for, instead of Jenkins' bare "Could not find credentials entry".
 */
def withSecrets(Map config, Closure body) {
  boolean bound = false
  try {
    return withCredentials(credentials(config)) {
      bound = true
      return body()
    }
  } catch (Exception e) {
    if (bound) throw e
    error("lmsRollback: a Jenkins credential this rollback needs is missing (${e.message}); it binds ${credentialPurposes(config).join('; ')}. "
        + "Add the missing one under Manage Jenkins > Credentials, or give the step another id")
  }
}

/** Each credential id the rollback binds, with its kind and what it is for. */
List credentialPurposes(Map config) {
  List said = []
  if (config.kubeconfigCredentialsId) said << "'${config.kubeconfigCredentialsId}' (secret file: the kubeconfig of the cluster)"
  List smoke = config.smokeCredentials.collect { variable, id -> [variable, id] }
  for (int i = 0; i < smoke.size(); i++) said << "'${smoke[i][1]}' (secret text: ${smoke[i][0]}, for the smoke tests)"
  List notify = config.notifyCredentials.collect { variable, id -> [variable, id] }
  for (int i = 0; i < notify.size(); i++) said << "'${notify[i][1]}' (secret text: ${notify[i][0]}, for the §6.1 messages)"
  if (config.databaseCredentialsId) said << "'${config.databaseCredentialsId}' (secret text: ${config.databaseUrlVariable}, the database of ${config.env})"
  if (config.signingKey) said << "'${config.signingKey}' (SSH username with private key: signs the decisions recorded from input prompts)"
  return said
}

/** The kubeconfig, the smoke tests', the channels' and the database's secrets, from Jenkins credentials. */
def credentials(Map config) {
  Map secrets = config.smokeCredentials + config.notifyCredentials
  if (config.databaseCredentialsId) secrets[config.databaseUrlVariable] = config.databaseCredentialsId
  return lmsCredentials(kubeconfig: config.kubeconfigCredentialsId, secrets: secrets)
}
