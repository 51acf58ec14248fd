package lms.rollback.pipeline

import groovy.json.JsonSlurperClassic
import java.nio.file.Files
import java.nio.file.attribute.PosixFilePermissions
import java.util.concurrent.TimeUnit
import lms.rollback.testing.HttpReceiver
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test

import static org.junit.jupiter.api.Assertions.assertEquals
import static org.junit.jupiter.api.Assertions.assertFalse
import static org.junit.jupiter.api.Assertions.assertThrows
import static org.junit.jupiter.api.Assertions.assertTrue

/**
 * The repository's own Jenkinsfile, end to end: its steps' shell scripts run for real under
 * /bin/sh -xe with the environment the steps set, against the real lmsctl (the classes this build
 * compiled), which rolls back `lmsctl sandbox --serve`. Builds share one workspace, as on a
 * controller: a rejected one switches nothing and says so, an approved one completes scenario B, the
 * next asks nobody; and a build whose engine is killed mid-run is continued by the next.
 */
class JenkinsfileEndToEndTest extends LmsPipelineTest {

  static Process sandbox
  static File sandboxDir
  static HttpReceiver warRoom
  List causes = []

  @BeforeAll
  static void startTheSandbox() {
    sandboxDir = Files.createTempDirectory('lms-e2e-sandbox').toFile()
    warRoom = new HttpReceiver()
    sandbox = serve(sandboxDir)
  }

  /** `lmsctl sandbox --serve` in {@code dir} (its kubeconfig and plan land there), once it says it is ready. */
  static Process serve(File dir) {
    File log = new File(dir, 'serve.log')
    Process served = new ProcessBuilder(java(), '-cp', System.getProperty('java.class.path'), 'lms.rollback.cli.Lmsctl', 'sandbox', '--serve',
        '--out-dir', dir.path, '--termination-delay', '200ms').redirectErrorStream(true).redirectOutput(log).start()
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120)
    while (!(log.exists() && log.text.contains('Press Ctrl-C'))) {
      if (!served.alive || System.nanoTime() > deadline) throw new IllegalStateException('lmsctl sandbox --serve did not start: ' + log.text)
      Thread.sleep(100)
    }
    return served
  }

  @AfterAll
  static void stopTheSandbox() {
    sandbox?.destroy()
    sandbox?.waitFor(30, TimeUnit.SECONDS)
    warRoom?.close()
    sandboxDir?.deleteDir()
  }

  static String java() {
    new File(System.getProperty('java.home'), 'bin/java').path
  }

  @BeforeEach
  void theRealLmsctlOnTheAgent() {
    warRoom.bodies.clear() // one receiver for the class: each test reads only its own messages
    JenkinsfileHarness.register(helper, binding, causes)
    File real = new File(scratch, 'lmsctl')
    real.text = '#!/bin/sh\nexec "$LMS_E2E_JAVA" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -cp "$LMS_E2E_CLASSPATH" lms.rollback.cli.Lmsctl "$@"\n'
    Files.setPosixFilePermissions(real.toPath(), PosixFilePermissions.fromString('rwxr-xr-x'))
    env().putAll([LMSCTL: real.path, LMS_E2E_JAVA: java(), LMS_E2E_CLASSPATH: System.getProperty('java.class.path'),
                  PATH: System.getenv('PATH'), HOME: System.getenv('HOME') ?: scratch.path,
                  BUILD_URL: 'https://jenkins.example.com/job/Rollback/41/'])
    secrets.putAll(['lms-kubeconfig': new File(sandboxDir, 'sandbox-kubeconfig.yaml').path, 'lms-smoke-user': 'smoke', 'lms-smoke-password': 'smoke',
                    'lms-smoke-token': 'sandbox-token', 'lms-war-room-webhook': warRoom.url(), 'lms-status-page-webhook': warRoom.url()])
    hudson.model.User.groups = ['rc.jones': ['authenticated', 'lms-release-commanders']]
    causes << [_class: 'hudson.model.Cause$UserIdCause', userId: 'dev.smith']
  }

  @AfterEach
  void noGroups() {
    hudson.model.User.groups = [:]
  }

  Map build(Map params) {
    binding.setVariable('params', [ENVIRONMENT: 'production', SCENARIO: 'B', TRIGGER: 'MAN-001', REASON: 'error rate 3% for 20 minutes',
                                   BACKUP: '', PLAN: new File(sandboxDir, 'sandbox-plan.yaml').path, VERIFY_WINDOW: '6s', DRY_RUN: false] + params)
    runScript('Jenkinsfile')
    return binding.getVariable('currentBuild') as Map
  }

  Map status() {
    ProcessBuilder p = new ProcessBuilder(new File(scratch, 'lmsctl').path, 'status', '--kubeconfig', new File(sandboxDir, 'sandbox-kubeconfig.yaml').path,
        '-o', 'json', '--out-dir', new File(scratch, 'status').path).redirectError(ProcessBuilder.Redirect.DISCARD)
    p.environment().putAll([LMS_E2E_JAVA: java(), LMS_E2E_CLASSPATH: System.getProperty('java.class.path')])
    Process run = p.start()
    String out = run.inputStream.getText('UTF-8')
    assertEquals(0, run.waitFor())
    new JsonSlurperClassic().parseText(out) as Map
  }

  List<Map> journal(int build) {
    new File(workspace, "lms-rollback/build-${build}/journal.jsonl").readLines().collect { new JsonSlurperClassic().parseText(it) as Map }
  }

  /** Kills (-9) the engine's lmsctl process of build {@code number} once it has ended the step of {@code afterStep}. */
  Thread killTheEngine(int number, String afterStep) {
    File ended = new File(workspace, "lms-rollback/build-${number}/steps/${afterStep}.json")
    Thread killer = new Thread({
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120)
      while (!ended.exists() && System.nanoTime() < deadline) Thread.sleep(20)
      // /proc/PID/cmdline whole: ProcessHandle's command line is cut short by lmsctl's long class path
      new File('/proc').listFiles().findAll { it.name.isNumber() }.each { File proc ->
        String line = new File(proc, 'cmdline').with { it.canRead() ? new String(it.bytes, 'UTF-8').replace('\u0000' as char, ' ' as char) : '' }
        if (line.contains('lms.rollback.cli.Lmsctl rollback') && line.contains("build-${number}") && !line.contains('--through')) {
          ProcessHandle.of(proc.name as long).ifPresent { it.destroyForcibly() }
        }
      }
    })
    killer.start()
    return killer
  }

  @Test
  void anEngineKilledMidRunIsRecordedAndTheNextBuildFinishesThatRunAskingAndRepeatingNothing() {
    // a cluster of its own: the other test leaves its sandbox rolled back
    File dir = Files.createTempDirectory('lms-e2e-killed').toFile()
    Process own = serve(dir)
    try {
      secrets['lms-kubeconfig'] = new File(dir, 'sandbox-kubeconfig.yaml').path
      String plan = new File(dir, 'sandbox-plan.yaml').path
      // build 41: approved, then the engine's one process is killed while it verifies Blue (an agent lost, an OOM kill)
      inputAnswers << [APPROVER: 'rc.jones', REASON: 'confirmed on the dashboard, roll back']
      Thread killer = killTheEngine(41, 'switch-traffic')
      def e = assertThrows(Exception) { build(PLAN: plan) }
      killer.join()

      assertTrue(e.message.contains('stopped at verify-blue (lmsctl exit 137)'), "${e.message}\n${console.join('\n')}")
      List stages = helper.callStack.findAll { it.methodName == 'stage' }*.argsToString()
      assertTrue(stages.any { it.startsWith('Execute traffic switch') } && !stages.any { it.startsWith('Scale down Green') }, stages.toString())
      // the Report stage had the engine say where the run stopped and how it continues
      assertTrue(journal(41).any { it.type == 'scenario.interrupted' }, journal(41)*.type.toString())
      assertTrue(warRoom.bodies.any { it.contains('ROLLBACK INTERRUPTED') }, warRoom.bodies.toString())
      assertTrue(new File(workspace, 'lms-rollback/build-41/rollback-report.md').exists(), 'the report of the interrupted run is archived')

      // build 42: continues that run — no second approval, no message of the run sent again — and completes it
      newBuild(42)
      int asked = inputs.size()
      int sent = warRoom.bodies.size()
      Map second = build(PLAN: plan, REASON: 'error rate 3% for 20 minutes')

      assertTrue(second.description.startsWith('B · MAN-001 · production · SUCCESS'), "${second.description}\n${console.join('\n')}")
      assertEquals(asked, inputs.size(), 'the Release Commander was not asked again')
      List<String> later = warRoom.bodies.drop(sent)
      assertFalse(later.any { it.contains('ROLLBACK INITIATED') || it.contains('TRAFFIC SWITCHED') }, later.toString())
      assertEquals(1, later.count { it.contains('ROLLBACK COMPLETE') }, later.toString())
      List<Map> run = journal(42)
      assertEquals(1, run.count { it.type == 'scenario.start' }, 'one run, carried over with its chain')
      assertEquals(['verify-blue', 'stop-green', 'confirm'], run.findAll { it.type == 'step.end' && it.data.ok && !it.data.resumed }
          .collect { it.data.action }.findAll { it in ['verify-blue', 'stop-green', 'confirm'] }.unique())
    } finally {
      own.destroy()
      own.waitFor(30, TimeUnit.SECONDS)
      dir.deleteDir()
    }
  }

  @Test
  void aRejectedBuildSwitchesNothingAnApprovedOneCompletesAndTheNextAsksNobody() {
    // build 41: MAN-001, scenario B, rejected by the Release Commander at the input
    Map before = status()
    inputAnswers << 'reject:rc.jones'
    def e = assertThrows(Exception) { build(REASON: 'error rate up, 2% for 10 minutes') }

    assertTrue(e.message.contains('nothing was rolled back: rejected by rc.jones'), e.message)
    assertEquals('ABORTED', binding.getVariable('currentBuild').result)
    assertEquals(before.routes, status().routes, 'the VirtualService is as it was')
    List<Map> rejected = journal(41)
    assertFalse(rejected.any { it.type in ['step.start', 'cluster.command', 'switch.after'] }, 'nothing was switched')
    assertTrue(rejected.any { it.type == 'scenario.rejected' })
    // the rejection was taken by the engine already waiting at its gate, from the build's proven answer: no gate record
    assertEquals(['rollback', 'rollback'], rejected.findAll { it.type == 'verb.start' }.collect { it.data.verb })
    assertEquals(0, new groovy.json.JsonSlurper().parse(new File(workspace, 'lms-rollback/build-41/decisions/0001.answer.json')).exitCode)
    assertTrue(warRoom.bodies.any { it.contains('ROLLBACK NOT STARTED') }, warRoom.bodies.toString())
    assertFalse(warRoom.bodies.any { it.contains('ROLLBACK COMPLETE') || it.contains('ROLLBACK INITIATED') }, warRoom.bodies.toString())
    assertTrue(new File(workspace, 'lms-rollback/build-41/rollback-report.md').text.contains('NOT STARTED'))

    // build 42, same workspace: approved, it completes
    newBuild(42)
    warRoom.bodies.clear()
    inputAnswers << [APPROVER: 'rc.jones', REASON: 'confirmed on the dashboard, roll back']
    Map first = build([:])

    assertTrue(first.description.startsWith('B · MAN-001 · production · SUCCESS'), "${first.description}\n${console.join('\n')}")
    Map after = status()
    assertTrue(after.routes.every { it.contains('lms-blue 100%, lms-green 0%') }, after.routes.toString())
    assertEquals([0, 0], [after.green.ready as int, after.green.desired as int])
    List<Map> run = journal(42)
    assertEquals(['announce', 'switch-traffic', 'verify-blue', 'stop-green', 'confirm'],
        run.findAll { it.type == 'step.end' && it.data.ok }.collect { it.data.action })
    // the preflight, then ONE process that took the approval from the build (a file with the build's mac) and switched
    assertEquals(['rollback', 'rollback'], run.findAll { it.type == 'verb.start' }.collect { it.data.verb }, run.findAll { it.type == 'verb.start' }.toString())
    Map answered = new groovy.json.JsonSlurper().parse(new File(workspace, 'lms-rollback/build-42/decisions/0001.answer.json')) as Map
    assertEquals([0, 'approved'], [answered.exitCode, answered.gate.status])
    assertFalse(console.any { it.contains('recording it with lmsctl gate record') }, 'the engine took the answer itself')
    Map decision = run.find { it.type == 'gate.decision' }
    assertEquals(['rc.jones', 'rc.jones', 'Release Commander'], [decision.actor, decision.data.by, decision.data.role])
    assertEquals('dev.smith', run.find { it.type == 'scenario.start' }.actor, 'the journal names the person, not the agent\'s OS user')
    assertTrue(new File(workspace, 'lms-rollback/build-42/rollback-report.md').text.contains('Decision maker: approve by rc.jones (Release Commander, level 0)'))
    assertEquals(['LmsGate0', 'LmsGate0'], inputs*.id*.toString())
    assertEquals('lms-release-commanders', inputs[1].submitter)
    assertTrue(warRoom.bodies.any { it.contains('ROLLBACK COMPLETE') })
    assertEquals(rejected.size(), journal(41).size(), 'the first build\'s journal is untouched')

    // build 43: the environment is already where scenario B leaves it: nobody asked, nothing sent, no step run
    newBuild(43)
    warRoom.bodies.clear()
    int asked = inputs.size()
    Map third = build(REASON: 'still seeing errors, 2% for 5 minutes')

    assertTrue(third.description.startsWith('B · MAN-001 · production · NOTHING TO DO'), "${third.description}\n${console.join('\n')}")
    assertEquals(asked, inputs.size(), 'nobody was asked')
    assertTrue(warRoom.bodies.isEmpty(), warRoom.bodies.toString())
    List<Map> noop = journal(43)
    assertTrue(noop.any { it.type == 'scenario.already-done' }, noop*.type.toString())
    assertFalse(noop.any { it.type in ['scenario.start', 'step.start', 'gate.opened'] }, noop*.type.toString())
  }
}
