package lms.rollback.pipeline

import com.lesfurets.jenkins.unit.cps.BasePipelineTestCPS
import com.lesfurets.jenkins.unit.global.lib.SourceRetriever
import java.nio.file.Files
import org.jenkinsci.plugins.workflow.steps.FlowInterruptedException
import org.jenkinsci.plugins.workflow.steps.TimeoutStepExecutionExceededTimeout
import org.jenkinsci.plugins.workflow.support.steps.input.Rejection
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeEach

import static com.lesfurets.jenkins.unit.global.lib.LibraryConfiguration.library

/**
 * The library loaded the way Jenkins loads it (@Library, from the repository root), with the steps
 * the lms* steps use behaving as on a real controller (../shared/notes/jenkins-input-semantics.md):
 * `sh` runs its script for real under /bin/sh -xe in a workspace that outlives the build, with the
 * environment withEnv and withCredentials set; readFile and fileExists read that workspace; input
 * returns the approver, or throws the FlowInterruptedException Jenkins throws on a timeout or a
 * rejection. lmsctl is a stand-in script (FakeLmsctl) unless a test puts the real one on LMSCTL.
 */
trait LmsFakes {

  File workspace
  File scratch
  FakeLmsctl lmsctl
  /** Secret text per credentials id; an id not listed is "secret-of-ID". File credentials get a file holding that text. */
  Map<String, String> secrets = [:]
  /** Credential ids Jenkins does not have (withCredentials fails on them, as a real controller does). */
  Set<String> missingCredentials = [] as Set
  /** What each input prompt does, in order: a Map answer, 'timeout', 'reject:USER', or 'wait' (open until its branch is stopped). */
  List inputAnswers = []
  List<Map> inputs = Collections.synchronizedList([])
  List<Map> timeouts = Collections.synchronizedList([])
  /** The timeouts around prompts (in seconds), without lmsWaitUntil's slices (in milliseconds). */
  List<Map> promptTimeouts() {
    return timeouts.findAll { it.unit == 'SECONDS' }
  }
  /** The deadlines of the timeouts the current thread (a parallel branch) is inside. */
  ThreadLocal<List<Long>> timeoutDeadlines = new ThreadLocal<>()
  /** Each pause of a waitUntil between two looks at its condition, in milliseconds. */
  List<Long> waitUntilPolls = Collections.synchronizedList([])
  /** What happened, in order: "lmsctl VERB SUB", "input ID", "parallel BRANCH,…". */
  List<String> events = Collections.synchronizedList([])
  List<Map> parallels = Collections.synchronizedList([])
  /** What the shell scripts printed (stdout and stderr, with the -x trace), script by script. */
  List<String> console = Collections.synchronizedList([])
  List<String> scripts = Collections.synchronizedList([])

  void installFakes() {
    scratch = Files.createTempDirectory('lms-pipeline').toFile()
    workspace = new File(scratch, 'workspace')
    workspace.mkdirs()
    lmsctl = new FakeLmsctl(new File(scratch, 'fake-lmsctl'))
    SourceRetriever root = { String repository, String branch, String targetPath ->
      [new File('.').canonicalFile.toURI().toURL()]
    } as SourceRetriever
    helper.registerSharedLibrary(library().name('lms-rollback').defaultVersion('main').allowOverride(true).implicit(false)
        .targetPath('.').retriever(root).build())
    binding.setVariable('params', [:])
    binding.setVariable('env', new BranchEnv([WORKSPACE: workspace.path, LMSCTL: lmsctl.script.path, FAKE_LMSCTL_DIR: lmsctl.dir.path, JOB_NAME: 'Rollback']))
    newBuild(41)
    // real withEnv: the variables exist only inside the block
    helper.registerAllowedMethod('withEnv', [List, Closure], { List vars, Closure body ->
      Map saved = new HashMap(env())
      vars.each { String v ->
        int eq = v.indexOf('=')
        env()[v.substring(0, eq)] = v.substring(eq + 1)
      }
      // under CPS the body may only be scheduled here: restore after a normal return only
      def result = helper.callClosure(body)
      env().clear()
      env().putAll(saved)
      return result
    })
    // real withCredentials: each binding's variable holds the secret (or, for a file, its path) inside the block
    helper.registerAllowedMethod('withCredentials', [List, Closure], { List bindings, Closure body ->
      Map saved = new HashMap(env())
      // as Jenkins: a credential it cannot find fails the step before the block runs
      String absent = bindings.find { Map b -> missingCredentials.contains(b.credentialsId?.toString()) }?.credentialsId
      if (absent) throw new Exception("Could not find credentials entry with ID '${absent}'")
      bindings.each { Map b ->
        String secret = secrets[b.credentialsId] ?: "secret-of-${b.credentialsId}".toString()
        if (b.kind == 'file') {
          File f = new File(scratch, "credential-${b.credentialsId}")
          if (!secrets[b.credentialsId]?.startsWith('/')) f.text = secret
          env()[b.variable] = secrets[b.credentialsId]?.startsWith('/') ? secrets[b.credentialsId] : f.path
        } else {
          env()[b.variable] = secret
        }
      }
      def result = helper.callClosure(body)
      env().clear()
      env().putAll(saved)
      return result
    })
    // real error: fails the build and stops the step
    helper.registerAllowedMethod('error', [String], { String message ->
      binding.getVariable('currentBuild').result = binding.getVariable('currentBuild').result ?: 'FAILURE'
      throw new Exception(message)
    })
    helper.registerAllowedMethod('sh', [Map], { Map p -> shell(p) })
    helper.registerAllowedMethod('libraryResource', [String], { String path -> new File('resources', path).text })
    // parallel as Jenkins runs it: the branches side by side (a thread each; the program itself one step at a time), and
    // the first failure in the order given thrown once all have ended
    helper.registerAllowedMethod('parallel', [Map], { Map branches ->
      parallels << branches
      events << ('parallel ' + branches.keySet().findAll { it != 'failFast' }.join(','))
      Map<String, Closure> bodies = branches.findAll { it.key != 'failFast' } as Map<String, Closure>
      Map<String, Throwable> failed = ((ProgramSavingHelper) helper).runBranches(bodies, branches.failFast as boolean)
      String first = bodies.keySet().find { failed[it] != null }
      if (first != null) throw failed[first]
    })
    helper.registerAllowedMethod('writeFile', [Map], { Map m ->
      File f = path(m.file as String)
      f.parentFile.mkdirs()
      f.text = m.text
    })
    // waitUntil as Jenkins runs it: the condition at once, then again after initialRecurrencePeriod, 1.2 times longer each time,
    // at most 15 s apart; one that never holds fails the test after a minute instead of hanging it
    // waitUntil as Jenkins runs it: the condition at once, then again after initialRecurrencePeriod, 1.2 times longer each time,
    // at most 15 s apart; ended by an enclosing timeout that runs out, as the controller interrupts it; one that never
    // holds fails the test after a minute instead of hanging it
    helper.registerAllowedMethod('waitUntil', [Map, Closure], { Map m, Closure condition ->
      long period = (m.initialRecurrencePeriod ?: 250) as long
      long deadline = System.currentTimeMillis() + 60000
      while (!helper.callClosure(condition)) {
        if (System.currentTimeMillis() > deadline) throw new Exception('waitUntil: the condition did not hold within a minute')
        if (((ProgramSavingHelper) helper).cancelled.contains(Thread.currentThread())) throw new FlowInterruptedException('failFast')
        long bound = timeoutDeadlines.get() ? timeoutDeadlines.get().min() : Long.MAX_VALUE
        if (System.currentTimeMillis() + period > bound) {
          Thread.sleep(Math.max(0L, bound - System.currentTimeMillis()))
          throw new FlowInterruptedException(new TimeoutStepExecutionExceededTimeout())
        }
        waitUntilPolls << period
        Thread.sleep(period)
        period = Math.min((long) (period * 1.2), 15000L)
      }
    })
    helper.registerAllowedMethod('readFile', [String], { String f -> path(f).text })
    helper.registerAllowedMethod('fileExists', [String], { String f -> path(f).exists() })
    helper.registerAllowedMethod('file', [Map], { Map m -> m + [kind: 'file'] })
    helper.registerAllowedMethod('string', [Map], { Map m -> m + [kind: 'string'] })
    // an SSH key credential is bound as a file holding the key, at keyFileVariable
    helper.registerAllowedMethod('sshUserPrivateKey', [Map], { Map m -> m + [kind: 'file', variable: m.keyFileVariable] })
    helper.registerAllowedMethod('junit', [Map], null)
    helper.registerAllowedMethod('sleep', [Map], null)
    helper.registerAllowedMethod('lock', [Map, Closure], { Map m, Closure body -> helper.callClosure(body) })
    helper.registerAllowedMethod('milestone', [Map], null)
    // timeout as Jenkins runs it: the body, interrupted when its time runs out (here: a waitUntil inside it)
    helper.registerAllowedMethod('timeout', [Map, Closure], { Map t, Closure body ->
      timeouts << t
      long ms = java.util.concurrent.TimeUnit.valueOf((t.unit ?: 'MINUTES') as String).toMillis(t.time as long)
      if (timeoutDeadlines.get() == null) timeoutDeadlines.set([])
      timeoutDeadlines.get() << System.currentTimeMillis() + ms
      try {
        return helper.callClosure(body)
      } finally {
        timeoutDeadlines.get().remove(timeoutDeadlines.get().size() - 1)
      }
    })
    helper.registerAllowedMethod('input', [Map], { Map p ->
      inputs << p
      events << "input ${p.id}".toString()
      def next = inputAnswers ? inputAnswers.remove(0) : 'timeout'
      if (next == 'wait') {
        // nobody answers: the prompt stays open until a failFast parallel stops its branch (Jenkins then removes the prompt)
        long deadline = System.currentTimeMillis() + 60000
        while (!((ProgramSavingHelper) helper).cancelled.contains(Thread.currentThread())) {
          if (System.currentTimeMillis() > deadline) throw new Exception("input ${p.id}: nobody answered and nothing stopped it within a minute")
          Thread.sleep(20)
        }
        events << "input ${p.id} cancelled".toString()
        throw new FlowInterruptedException('failFast')
      }
      if (next == 'timeout') throw new FlowInterruptedException(new TimeoutStepExecutionExceededTimeout())
      if (next instanceof String && next.startsWith('reject:')) throw new FlowInterruptedException(new Rejection(next.substring(7)))
      return next
    })
    jenkins.model.Jenkins.plugins = null
  }

  Map env() {
    binding.getVariable('env') as Map
  }

  /** The next build of the same job: a new number, the same workspace (files included), as Jenkins keeps it. */
  void newBuild(int number) {
    def causes = binding.hasVariable('currentBuild') ? binding.getVariable('currentBuild').getBuildCauses : null
    binding.setVariable('currentBuild', [result: null, description: null, number: number])
    if (causes) binding.getVariable('currentBuild').getBuildCauses = causes
    env().BUILD_NUMBER = "${number}".toString()
    env().BUILD_TAG = "jenkins-Rollback-${number}".toString()
  }

  File path(String f) {
    File file = new File(f)
    return file.absolute ? file : new File(workspace, f)
  }

  /** `sh` as durable-task runs it: /bin/sh -xe, in the workspace, with the agent's environment plus the step's. */
  def shell(Map p) {
    File script = File.createTempFile('script', '.sh', scratch)
    script.text = p.script
    scripts << (p.script as String)
    ProcessBuilder pb = new ProcessBuilder('/bin/sh', '-xe', script.path).directory(workspace).redirectErrorStream(true)
    env().each { k, v -> if (v != null) pb.environment().put(k.toString(), v.toString()) }
    Process proc = pb.start()
    String output = proc.inputStream.getText('UTF-8')
    int rc = proc.waitFor()
    console << output
    List args = lmsctl.calls() ? lmsctl.calls().last() : []
    if (args) events << ('lmsctl ' + args.take(args.size() > 1 && !args[1].startsWith('-') ? 2 : 1).join(' '))
    if (p.returnStatus) return rc
    if (rc != 0) throw new Exception("script returned exit code ${rc}")
    return p.returnStdout ? output : null
  }

  /** Runs a small pipeline that uses the library, as a Jenkinsfile would. */
  def run(String body) {
    new File('target').mkdirs()
    File script = File.createTempFile('pipeline', '.groovy', new File('target'))
    script.text = "@Library('lms-rollback') _\n" + body
    try {
      return runScript(script.path)
    } finally {
      script.delete()
    }
  }

  static String json(Map m) {
    groovy.json.JsonOutput.toJson(m)
  }

  boolean called(String method) {
    helper.callStack.any { it.methodName == method }
  }

  void removeScratch() {
    scratch?.deleteDir()
  }
}

/**
 * The fakes under the CPS interpreter, with the program saved at every step call as a controller saves it
 * (ProgramSavingHelper): a value the controller cannot serialize fails the test where it fails the build.
 */
abstract class LmsPipelineTest extends BasePipelineTestCPS implements LmsFakes {
  LmsPipelineTest() {
    helper = new ProgramSavingHelper()
  }

  @BeforeEach
  void setUpLibrary() {
    super.setUp()
    installFakes()
  }

  @AfterEach
  void cleanUp() {
    removeScratch()
  }
}
