package lms.rollback.pipeline

import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test

import static org.junit.jupiter.api.Assertions.assertEquals
import static org.junit.jupiter.api.Assertions.assertFalse
import static org.junit.jupiter.api.Assertions.assertThrows
import static org.junit.jupiter.api.Assertions.assertTrue

/**
 * lmsRollback as Jenkins' face of the engine's one run: its shell scripts run under /bin/sh -xe
 * against a stand-in lmsctl that answers as the real one does (test/resources/contract), and fails
 * where the test says.
 */
class LmsRollbackTest extends LmsPipelineTest {

  static final String ROLLBACK = "lmsRollback(scenario: 'B', trigger: 'MAN-001', env: 'production', reason: 'error rate 3% for 20 minutes', requestedBy: 'dev.smith')"
  static final List<String> STEPS = ['announce', 'switch-traffic', 'verify-blue', 'stop-green', 'confirm']

  @BeforeEach
  void anEngineThatWaitsForTheReleaseCommander() {
    lmsctl.answerOnce('rollback@decision', 5, Contract.text('rollback-awaiting'), 'lmsctl rollback: decision needed')
    lmsctl.answer('rollback@decision', 0, Contract.text('rollback-paused'))
    lmsctl.answer('rollback', 0, Contract.text('rollback-completed'))
    lmsctl.answer('gate-record', 0, Contract.text('gate-record-approved'))
    lmsctl.answer('gate-remind', 0, '{"sent":0,"cancelled":2,"closedBy":"approve by rc.jones"}')
  }

  List<List<String>> rollbackCalls() {
    lmsctl.verbs('rollback')
  }

  List<String> throughs() {
    rollbackCalls().collect { FakeLmsctl.value(it, '--through') ?: (it.contains('--dry-run') ? 'dry-run' : 'end') }
  }

  /** The file the engine leaves in steps/ as a step ends: the step's element of its JSON "steps". */
  static Map stepFile(String action, boolean ok = true, String detail = 'done') {
    [action: action, title: action, millis: 40, budget: '2m', overBudget: false, ok: ok, detail: detail]
  }

  @Test
  void aGatedRollbackIsOneEngineRunThatTheStepsStagesFollow() {
    inputAnswers << [APPROVER: 'rc.jones', REASON: 'confirmed on the dashboard, roll back']

    run(ROLLBACK)

    // the engine's run: to its gate, then, after the approval, one process from the decision to the end
    assertEquals(['decision', 'end'], throughs(), 'after the approval one call carries the run on: no call per stage')
    // beside it, a stage per step that follows the engine's file for that step: no lmsctl of its own
    assertTrue(events.contains('parallel engine,stages'), events.toString())
    List stages = helper.callStack.findAll { it.methodName == 'stage' }*.argsToString()
    assertEquals(['Announce rollback (30s)', 'Execute traffic switch (2m)', 'Verify Blue health (2m)', 'Scale down Green (2m)', 'Confirm success (1m)'],
        stages.findAll { !it.startsWith('Preflight') && !it.startsWith('Decision') && !it.startsWith('Report') }.collect { it.substring(0, it.lastIndexOf(')') + 1) })
    List echoed = helper.callStack.findAll { it.methodName == 'echo' }*.argsToString()
    assertTrue(echoed.any { it.contains('Execute traffic switch: done in ') && it.contains('lms-blue 100%') }, echoed.toString())
    rollbackCalls().each { c ->
      assertEquals(['B', 'production', 'MAN-001', 'dev.smith', 'lms-rollback/build-41', 'jenkins Rollback (production)'],
          ['--scenario', '--env', '--trigger', '--requested-by', '--out-dir', '--lease-holder'].collect { FakeLmsctl.value(c, it) })
    }
    // the input is the engine's prompt: its id, its deciders, its time left
    assertEquals('LmsGate0', inputs[0].id)
    assertEquals('lms-release-commanders', inputs[0].submitter)
    assertEquals(Contract.read('rollback-awaiting').gate.prompt.leftSeconds as long, promptTimeouts()[0].time as long)
    def record = lmsctl.verbs('gate', 'record')[0]
    assertEquals(['approve', 'rc.jones', '0', 'dev.smith'], ['--decision', '--by', '--level', '--requested-by'].collect { FakeLmsctl.value(record, it) })
    // the journal's actor is the person: the requester for the run, the approver for the decision
    List<String> actors = (0..<lmsctl.calls().size()).collect { lmsctl.env(it).LMS_ACTOR }
    assertEquals('rc.jones', actors[lmsctl.calls().indexOf(record)])
    assertEquals(['dev.smith'], actors.withIndex().findAll { a, i -> lmsctl.calls()[i][0] == 'rollback' }.collect { it[0] }.unique())
    // Jenkins' own share: lock, milestone, a stage per step named with its budget, JUnit and the archive of this build
    assertTrue(helper.callStack.any { it.methodName == 'lock' && it.argsToString().contains('lms-rollback-production') })
    assertTrue(called('milestone'))
    assertTrue(helper.callStack.any { it.methodName == 'stage' && it.argsToString().contains('Execute traffic switch (2m)') })
    assertTrue(helper.callStack.any { it.methodName == 'junit' && it.argsToString().contains('lms-rollback/build-41/*-junit.xml') })
    assertTrue(helper.callStack.any { it.methodName == 'archiveArtifacts' && it.argsToString().contains('lms-rollback/build-41/**') })
    // no copy of the run in Groovy: no journal entries, messages or reports of its own
    assertTrue(lmsctl.verbs('audit').isEmpty() && lmsctl.verbs('notify').isEmpty() && lmsctl.verbs('report').isEmpty())
    // the engine's one process is started before the input is answered and waits at its gate for this build's answers
    // (no reminders process: it reminds itself); its key is in its environment, never an argument
    def waiting = rollbackCalls()[1]
    assertEquals('lms-rollback/build-41/decisions', FakeLmsctl.value(waiting, '--decisions-from'))
    int engineCall = lmsctl.calls().indexOf(waiting)
    assertTrue(lmsctl.env(engineCall).LMS_DECISIONS_KEY ==~ /[0-9a-f]{64}/, 'a fresh key of the build')
    assertTrue(lmsctl.calls().every { c -> !c.any { it.contains(lmsctl.env(engineCall).LMS_DECISIONS_KEY) } })
    // the stand-in engine ends at once, so the answer it never took is recorded with gate record (what a build does when
    // its engine died): three lmsctl processes for eight stages
    assertEquals(['rollback', 'rollback', 'gate'], lmsctl.calls().collect { it[0] })
    assertEquals(8, stages.size(), stages.toString())
    assertTrue(binding.getVariable('currentBuild').description.startsWith('B · MAN-001 · production · SUCCESS'))
  }

  @Test
  void aRejectedRollbackSwitchesNothingAndSaysSo() {
    inputAnswers << 'reject:rc.jones'
    lmsctl.answer('gate-record', 0, Contract.text('gate-record-rejected'))
    lmsctl.answer('rollback@decision', 5, Contract.text('rollback-rejected'), 'lmsctl rollback: rejected')

    def e = assertThrows(Exception) { run(ROLLBACK) }

    assertTrue(e.message.contains('nothing was rolled back: rejected by rc.jones'), e.message)
    assertEquals('ABORTED', binding.getVariable('currentBuild').result)
    assertEquals(['decision', 'end'], throughs(), 'the engine waiting at its gate is told, and no step ran')
    assertEquals('reject', FakeLmsctl.value(lmsctl.verbs('gate', 'record')[0], '--decision'))
    assertTrue(called('junit') && called('archiveArtifacts'), 'the report of the rejection is still published')
    assertTrue(binding.getVariable('currentBuild').description.contains('NOT AUTHORIZED'))
  }

  /**
   * What the engine waiting at its gate prints when an automatic rollback takes the environment over (RollbackRun.superseded,
   * EnvironmentLease's reason): state superseded, exit 5, nothing changed.
   */
  static final String SUPERSEDED_REASON = "superseded while waiting for its decision: the automatic rollback for AUTO-001 (lmsctl watch (production)) " +
      "took the environment over at 2026-12-07T23:10:04Z; AUTO-001 is immediate (§3.2); nothing was changed by this run"

  @Test
  void anAutomaticRollbackTakingOverEndsTheOpenPromptAndTheBuildAsSuperseded() {
    // Given the Release Commander's prompt open (nobody answers it), and the engine waiting at its gate
    inputAnswers << 'wait'
    // When the watch's automatic rollback takes the environment over: the engine ends the waiting run as superseded
    lmsctl.answer('rollback', 5, Contract.text('rollback-rejected') { Map m ->
      m.state = 'superseded'
      m.reason = SUPERSEDED_REASON
      m.gate = Contract.read('rollback-awaiting').gate
    }, 'lmsctl rollback: superseded')

    long started = System.currentTimeMillis()
    def e = assertThrows(Exception) { run(ROLLBACK) }
    long took = System.currentTimeMillis() - started

    // Then the prompt was cancelled (nobody answered it), nothing was handed to the engine or recorded as a decision
    assertTrue(events.contains('input LmsGate0 cancelled'), events.toString())
    assertTrue(lmsctl.verbs('gate', 'record').isEmpty(), 'no decision recorded for a superseded run')
    assertFalse(new File(workspace, 'lms-rollback/build-41/decisions/0001.json').exists(), 'no answer handed to the engine')
    assertTrue(took < 20000, "the build ended promptly, not at the prompt's window: ${took} ms")
    // and the build says so in one line, in the engine's words, and ends NOT_BUILT: nothing failed, nothing was built
    assertEquals('lmsRollback: superseded by the automatic rollback for AUTO-001 (lmsctl watch (production)) at 2026-12-07T23:10:04Z; '
        + 'nothing was changed by this build', e.message)
    List said = (helper.callStack.findAll { it.methodName in ['echo', 'error'] }*.argsToString()).findAll { it.contains('superseded') }
    assertEquals(1, said.count { it.startsWith('lmsRollback: superseded by') }, said.toString())
    assertEquals('NOT_BUILT', binding.getVariable('currentBuild').result)
    assertTrue(binding.getVariable('currentBuild').description.contains('SUPERSEDED'), binding.getVariable('currentBuild').description)
    // the engine ended the run itself (reported, war room told): no --interrupted call after it, and no step stage ran
    assertFalse(rollbackCalls().any { it.contains('--interrupted') }, rollbackCalls().toString())
    List stages = helper.callStack.findAll { it.methodName == 'stage' }*.argsToString()
    assertFalse(stages.any { it.startsWith('Announce') }, stages.toString())
    assertTrue(called('junit') && called('archiveArtifacts'))
  }

  @Test
  void aSecondBuildAfterTheRollbackAsksNobodyAndRunsNoStep() {
    new File(lmsctl.dir, 'answers').listFiles().findAll { it.name.startsWith('rollback@decision.q') }*.delete()
    lmsctl.answer('rollback@decision', 0, Contract.text('rollback-already-done'))

    run(ROLLBACK)

    List echoed = helper.callStack.findAll { it.methodName == 'echo' }*.argsToString()
    assertTrue(echoed.any { it.contains('lmsRollback: nothing to do: traffic is on Blue') }, echoed.toString())
    assertTrue(inputs.isEmpty(), 'nobody asked')
    assertEquals(['decision'], throughs(), 'no step stage called the engine')
  }

  @Test
  void aPreflightThatRefusesStartsNothingAndAsksNobody() {
    new File(lmsctl.dir, 'answers').listFiles().findAll { it.name.startsWith('rollback@decision.q') }*.delete()
    lmsctl.answerOnce('rollback@decision', 2, Contract.text('rollback-refused'), 'lmsctl rollback: the smoke tests\' credentials are not set')

    def e = assertThrows(Exception) { run(ROLLBACK) }

    assertTrue(e.message.contains('nothing was rolled back, the preflight refused: Smoke test credentials: LMS_SMOKE_USER'), e.message)
    assertTrue(inputs.isEmpty())
    assertEquals(['decision'], throughs())
  }

  @Test
  void blueUnhealthyAfterTheSwitchStopsTheRunBeforeGreen() {
    inputAnswers << [APPROVER: 'rc.jones', REASON: 'confirmed on the dashboard, roll back']
    lmsctl.answer('rollback', 4, Contract.text('rollback-stopped'), 'lmsctl rollback: scenario B stopped at step \'verify-blue\'')

    def e = assertThrows(Exception) { run(ROLLBACK) }

    assertTrue(e.message.contains('stopped at verify-blue (lmsctl exit 4): Blue is unhealthy after the switch'), e.message)
    assertEquals(['decision', 'end'], throughs())
    List stages = helper.callStack.findAll { it.methodName == 'stage' }*.argsToString()
    assertTrue(stages.any { it.startsWith('Verify Blue health') }, stages.toString())
    assertFalse(stages.any { it.startsWith('Scale down Green') || it.startsWith('Confirm success') }, 'no stage for Green after the failed verification: ' + stages)
    assertTrue(called('junit') && called('archiveArtifacts'))
    assertTrue(binding.getVariable('currentBuild').description.contains('FAILED'))
  }

  @Test
  void aStepThatOverrunsItsBoundFailsItsStageWithTheEnginesReason() {
    inputAnswers << [APPROVER: 'rc.jones', REASON: 'confirmed on the dashboard, roll back']
    // the engine reported verify-blue overrun (budget 2m + the plan's grace 30s), as StepFiles.overran writes it, and went on
    String reason = "Verify Blue health has run 2m30s, over its budget of 2m and the plan's grace of 30s; the engine lets it finish"
    lmsctl.answer('rollback', 0, Contract.text('rollback-completed'), '', [stepFile('announce'), stepFile('switch-traffic'),
        [action: 'verify-blue.overrun', title: 'Verify Blue health', budget: '2m', grace: '30s', boundSeconds: 150, reason: reason]])

    def e = assertThrows(Exception) { run(ROLLBACK) }

    assertEquals("lmsRollback: verify-blue overran its bound of 150s (budget 2m + grace 30s): ${reason}".toString(), e.message)
    List stages = helper.callStack.findAll { it.methodName == 'stage' }*.argsToString()
    assertFalse(stages.any { it.startsWith('Scale down Green') }, 'no later stage: ' + stages)
    // the engine carried the run to its end and reported it: nothing to record as interrupted
    assertFalse(rollbackCalls().any { it.contains('--interrupted') }, rollbackCalls().toString())
    assertEquals('FAILURE', binding.getVariable('currentBuild').result)
  }

  @Test
  void anLmsctlKilledMidRunHasTheEngineRecordTheInterruptionBeforeTheArchive() {
    inputAnswers << [APPROVER: 'rc.jones', REASON: 'confirmed on the dashboard, roll back']
    // killed in verify-blue: it printed nothing, and had left the files of the two steps it ended
    lmsctl.answerOnce('rollback', 137, '', '', [stepFile('announce'), stepFile('switch-traffic')])

    def e = assertThrows(Exception) { run(ROLLBACK) }

    assertTrue(e.message.contains('stopped at verify-blue (lmsctl exit 137)'), e.message)
    List stages = helper.callStack.findAll { it.methodName == 'stage' }*.argsToString()
    assertFalse(stages.any { it.startsWith('Scale down Green') }, stages.toString())
    // the run is not over: the engine records where it stopped, reports it and tells the war room, then Jenkins archives
    def said = rollbackCalls().findAll { it.contains('--interrupted') }
    assertEquals(1, said.size(), rollbackCalls().toString())
    assertTrue(FakeLmsctl.value(said[0], '--interrupted').contains('stopped at verify-blue (lmsctl exit 137)'), said[0].toString())
    assertEquals(['B', 'production', 'MAN-001', 'lms-rollback/build-41'], ['--scenario', '--env', '--trigger', '--out-dir'].collect { FakeLmsctl.value(said[0], it) })
    assertTrue(called('junit') && called('archiveArtifacts'))
  }

  @Test
  void anAgentLostUnderTheEngineFailsTheWaitingStageAndTheNextCallRecordsTheInterruption() {
    inputAnswers << [APPROVER: 'rc.jones', REASON: 'confirmed on the dashboard, roll back']
    // the engine's sh step throws, as Jenkins' does when the agent goes away mid-step; the Report stage's call runs again
    int shells = 0
    helper.registerAllowedMethod('sh', [Map], { Map p ->
      shells++
      if (env().LMS_DECISIONS_KEY && !env().LMS_ARG_0?.startsWith('gate')) throw new IOException('Agent lms-1 went offline during the build')
      shell(p)
    })

    def e = assertThrows(Exception) { run(ROLLBACK) }

    // the build fails with Jenkins' own reason; the stage the engine was in fails saying lmsctl gave no answer
    assertTrue(e.message.contains('went offline'), e.message)
    List errors = helper.callStack.findAll { it.methodName == 'error' }*.argsToString()
    assertTrue(errors.any { it.contains('stopped at announce (lmsctl exit -1): no answer from lmsctl') }, errors.toString())
    assertTrue(FakeLmsctl.value(rollbackCalls().last(), '--interrupted').contains('went offline'), rollbackCalls().last().toString())
    def said = rollbackCalls().findAll { it.contains('--interrupted') }
    assertEquals(1, said.size(), rollbackCalls().toString())
    assertTrue(called('junit') && called('archiveArtifacts'))
  }

  @Test
  void theIncidentAndDeploymentIdsAreTheEnginesToJournal() {
    inputAnswers << [APPROVER: 'rc.jones', REASON: 'confirmed on the dashboard, roll back']

    run(ROLLBACK.replace("requestedBy: 'dev.smith'", "requestedBy: 'dev.smith', incident: 'INC-2041', deployment: 'DEP-877'"))

    assertTrue(rollbackCalls().every { c -> FakeLmsctl.value(c, '--incident') == 'INC-2041' && FakeLmsctl.value(c, '--deployment') == 'DEP-877' })
  }

  @Test
  void aRunTheEngineStoppedItselfIsNotRecordedAgainAsInterrupted() {
    inputAnswers << [APPROVER: 'rc.jones', REASON: 'confirmed on the dashboard, roll back']
    lmsctl.answer('rollback', 4, Contract.text('rollback-stopped'), 'lmsctl rollback: scenario B stopped at step \'verify-blue\'')

    assertThrows(Exception) { run(ROLLBACK) }

    assertFalse(rollbackCalls().any { it.contains('--interrupted') }, rollbackCalls().toString())
  }

  /** The completed run of a plan with the §1.2 data review after Blue's verification: its steps, the review's included. */
  static final Closure withTheReview = { Map m ->
    m.steps.add(3, stepFile('data-review', true, "reviewed by dba.kim"))
    m.plan.add(3, [title: 'Review data written by Green', budget: '15m', action: 'data-review', budgetSeconds: 900])
  }

  @Test
  void aPersonTheEngineWaitsForIsAskedAndTheAnswerRecordedUnderTheirNameAsTheEngineSays() {
    // Given an automatic trigger 6 h after the release: the engine's plan has the §1.2 review stage, and waits there
    new File(lmsctl.dir, 'answers').listFiles().findAll { it.name.startsWith('rollback@decision.q') }*.delete()
    lmsctl.answer('rollback@decision', 0, Contract.text('rollback-awaiting-review').replace('"awaiting-decision"', '"paused"'))
    lmsctl.answerOnce('rollback', 5, Contract.text('rollback-awaiting-review'), 'lmsctl rollback: waiting for the data review')
    lmsctl.answer('rollback', 0, Contract.text('rollback-completed', withTheReview))
    lmsctl.answer('audit-record', 0, '{"seq":31,"type":"data-review.done"}')
    inputAnswers << [ANSWERED_BY: 'dba.kim', ANSWER: "leave requests since 14:05 match Blue's schema; 3 rows fixed by hand"]

    run("lmsRollback(scenario: 'B', trigger: 'AUTO-001', env: 'production', reason: 'error rate 7%', requestedBy: 'dev.smith')")

    // Then the review stage asked the DBAs, within the review's 15m budget, and recorded their words under their name
    assertTrue(helper.callStack.any { it.methodName == 'stage' && it.argsToString().contains('Review data written by Green (15m)') })
    def review = inputs.find { it.id == 'LmsPerson' }
    assertEquals('lms-dbas', review.submitter)
    assertTrue(review.message.contains('DATA REVIEW NEEDED'), review.message)
    assertFalse(review.message.contains('lmsctl audit record'), 'Jenkins records the answer itself: no terminal command on its page: ' + review.message)
    assertEquals(900L, timeouts.find { it.unit == 'SECONDS' }.time as long)
    def record = lmsctl.verbs('audit', 'record')[0]
    assertEquals('data-review.done', FakeLmsctl.value(record, '--type'))
    assertEquals("reviewed=leave requests since 14:05 match Blue's schema; 3 rows fixed by hand", FakeLmsctl.value(record, '--field'))
    assertEquals('dba.kim', lmsctl.env(lmsctl.calls().indexOf(record)).LMS_ACTOR)
    // and the engine was called again: it went on from where it waited, to the end
    assertEquals(['decision', 'end', 'end'], throughs())
    assertTrue(binding.getVariable('currentBuild').description.contains('SUCCESS'))
  }

  @Test
  void theDbasPauseIsAskedWithinItsOwnBudgetNotTheAnnouncementsThirtySeconds() {
    // Given scenario C waiting before its announcement for the DBA's pause (§4.1 #4), which the plan gives 10m of its own
    Closure pause = { Map m ->
      m.stoppedAt = 'announce'
      m.person = [task: 'PENDING TRANSACTIONS (§4.1 #4): this scenario changes the database; the DBA pauses pending transactions first',
                  message: 'PENDING TRANSACTIONS (§4.1 #4): …', record: 'checklist.done', fields: [step: '4', groups: 'lms-dbas'], answerField: 'note',
                  ask: 'How were pending transactions paused (or why none were pending)?', submitters: ['lms-dbas'], budgetSeconds: 600]
    }
    new File(lmsctl.dir, 'answers').listFiles().findAll { it.name.startsWith('rollback@decision.q') }*.delete()
    lmsctl.answer('rollback@decision', 0, Contract.text('rollback-awaiting-review', pause).replace('"awaiting-decision"', '"paused"'))
    lmsctl.answerOnce('rollback', 5, Contract.text('rollback-awaiting-review', pause), 'lmsctl rollback: waiting for the DBA')
    lmsctl.answer('rollback', 0, Contract.text('rollback-completed', withTheReview))
    lmsctl.answer('audit-record', 0, '{"seq":31,"type":"checklist.done"}')
    inputAnswers << [ANSWERED_BY: 'dba.kim', ANSWER: 'writers paused at the pool, none pending']

    run("lmsRollback(scenario: 'B', trigger: 'AUTO-001', env: 'production', reason: 'error rate 7%', requestedBy: 'dev.smith')")

    // Then the DBAs were asked within the pause's 600 s, and the groups recorded are Jenkins' own for the answerer (none
    // here: no controller), never the plan's group copied from the engine's question
    def asked = inputs.find { it.id == 'LmsPerson' }
    assertEquals('lms-dbas', asked.submitter)
    assertEquals(600L, timeouts.find { it.unit == 'SECONDS' }.time as long)
    def record = lmsctl.verbs('audit', 'record')[0]
    assertTrue(record.contains('groups='), record.toString())
    assertFalse(record.contains('groups=lms-dbas'), record.toString())
    assertTrue(record.contains('note=writers paused at the pool, none pending'), record.toString())
  }

  @Test
  void budgetsInAnySyntaxOfThePlanReachTheStagesAsTheEngineGivesThem() {
    // Given a plan whose data review may take 1h30m and whose announcement 500ms: the engine says so in seconds
    Closure budgets = { Map m ->
      m.plan.find { it.action == 'data-review' }.with { it.budget = '1h30m'; it.budgetSeconds = 5400 }
      m.plan.find { it.action == 'announce' }.with { it.budget = '500ms'; it.budgetSeconds = 1 }
    }
    new File(lmsctl.dir, 'answers').listFiles().findAll { it.name.startsWith('rollback@decision.q') }*.delete()
    lmsctl.answer('rollback@decision', 0, Contract.text('rollback-awaiting-review', budgets).replace('"awaiting-decision"', '"paused"'))
    lmsctl.answerOnce('rollback', 5, Contract.text('rollback-awaiting-review', budgets), 'lmsctl rollback: waiting for the data review')
    lmsctl.answer('rollback', 0, Contract.text('rollback-completed', withTheReview))
    lmsctl.answer('audit-record', 0, '{"seq":31,"type":"data-review.done"}')
    inputAnswers << [ANSWERED_BY: 'dba.kim', ANSWER: "leave requests since 14:05 match Blue's schema"]

    run("lmsRollback(scenario: 'B', trigger: 'AUTO-001', env: 'production', reason: 'error rate 7%', requestedBy: 'dev.smith')")

    // Then the stages carry the plan's words, and the person is given the engine's seconds: nothing was parsed here
    assertTrue(helper.callStack.any { it.methodName == 'stage' && it.argsToString().contains('Review data written by Green (1h30m)') })
    assertTrue(helper.callStack.any { it.methodName == 'stage' && it.argsToString().contains('Announce rollback (500ms)') })
    assertEquals(5400L, timeouts.find { it.unit == 'SECONDS' }.time as long)
    assertTrue(binding.getVariable('currentBuild').description.contains('SUCCESS'))
  }

  @Test
  void aDryRunAsksNobodyChangesNothingAndShowsWhatWouldHappen() {
    lmsctl.answer('rollback', 0, Contract.text('rollback-dry-run'))

    run(ROLLBACK.replace(")", ", dryRun: true)"))

    assertEquals(['dry-run'], throughs())
    assertTrue(inputs.isEmpty())
    assertEquals(1, lmsctl.calls().size(), 'one call: no prompt opened, no message sent')
    assertTrue(binding.getVariable('currentBuild').description.contains('DRY RUN'))
    // the console shows the engine's readable account, not its JSON
    List echoed = helper.callStack.findAll { it.methodName == 'echo' }*.argsToString()
    assertTrue(echoed.any { it.contains('DRY RUN of scenario B') && it.contains('would run Announce rollback') }, echoed.toString())
    assertTrue(!echoed.any { it.trim().startsWith('{') }, 'no raw JSON: ' + echoed)
  }

  @Test
  void twoBuildsInOneWorkspaceShareNoFileAndTheEngineAloneContinuesALostRun() {
    inputAnswers << [APPROVER: 'rc.jones', REASON: 'confirmed on the dashboard, roll back']
    run(ROLLBACK)
    int first = lmsctl.calls().size()
    File firstOut = new File(workspace, 'lms-rollback/build-41/.lmsctl-rollback.out')
    String firstText = firstOut.text

    newBuild(42)
    inputAnswers << 'reject:rc.jones'
    lmsctl.answerOnce('rollback@decision', 5, Contract.text('rollback-awaiting'))
    lmsctl.answer('gate-record', 0, Contract.text('gate-record-rejected'))
    lmsctl.answer('rollback@decision', 5, Contract.text('rollback-rejected'))
    assertThrows(Exception) { run(ROLLBACK) }

    List<List<String>> second = lmsctl.calls().drop(first)
    assertTrue(second.every { c -> FakeLmsctl.value(c, '--out-dir') == 'lms-rollback/build-42' }, second.toString())
    // an earlier build's run is read only by the engine, which carries over an unfinished one (RunContinuation)
    assertTrue(second.findAll { it[0] == 'rollback' }.every { c -> FakeLmsctl.value(c, '--continue-from') == 'lms-rollback' }, second.toString())
    assertEquals(firstText, firstOut.text, 'the first build\'s files are untouched')
    assertFalse(second.any { FakeLmsctl.value(it, '--through') == 'switch-traffic' })
  }

  @Test
  void aMissingPluginFailsAtTheStartNamingIt() {
    jenkins.model.Jenkins.plugins = ['pipeline-milestone-step', 'pipeline-input-step', 'workflow-basic-steps', 'workflow-durable-task-step',
                                     'workflow-cps', 'credentials-binding', 'junit']

    def e = assertThrows(Exception) { run(ROLLBACK) }

    assertTrue(e.message.contains('lacks plugin(s) lockable-resources (step lock)'), e.message)
    assertTrue(lmsctl.calls().isEmpty(), 'nothing ran')
    assertFalse(called('lock'))
  }

  @Test
  void secretsComeFromJenkinsCredentialsNeverFromArguments() {
    inputAnswers << [APPROVER: 'rc.jones', REASON: 'confirmed on the dashboard, roll back']

    run(ROLLBACK.replace(")", ", notifyCredentials: [LMS_WAR_ROOM_WEBHOOK: 'lms-war-room-webhook'], smokeCredentials: [LMS_SMOKE_TOKEN: 'lms-smoke-token'])"))

    Map seen = lmsctl.env(0)
    assertEquals('secret-of-lms-war-room-webhook', seen.LMS_WAR_ROOM_WEBHOOK)
    assertEquals('secret-of-lms-smoke-token', seen.LMS_SMOKE_TOKEN)
    assertTrue(new File(seen.KUBECONFIG).text.contains('secret-of-lms-kubeconfig'))
    assertTrue(lmsctl.calls().every { c -> c.every { !it.contains('secret-of') } })
  }

  @Test
  void anUnknownArgumentIsRefusedBeforeAnythingRuns() {
    def e = assertThrows(Exception) { run(ROLLBACK.replace(")", ", enviroment: 'x')")) }

    assertTrue(e.message.contains('lmsRollback: unknown argument(s) enviroment'), e.message)
    assertTrue(lmsctl.calls().isEmpty())
  }
}
