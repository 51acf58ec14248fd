package lms.rollback.pipeline

import com.lesfurets.jenkins.unit.BasePipelineTest
import com.lesfurets.jenkins.unit.global.lib.SourceRetriever
import org.jenkinsci.plugins.workflow.steps.FlowInterruptedException
import org.jenkinsci.plugins.workflow.steps.TimeoutStepExecutionExceededTimeout
import org.jenkinsci.plugins.workflow.support.steps.input.Rejection
import org.junit.jupiter.api.BeforeEach

import static com.lesfurets.jenkins.unit.global.lib.LibraryConfiguration.library

/**
 * The library loaded the way Jenkins loads it (@Library, from the repository root), with the
 * steps the lms* steps use registered in the shapes real Jenkins has (../shared/notes).
 */
trait LmsFakes {

  FakeLmsctl lmsctl = new FakeLmsctl()
  /** What each input prompt does, in order: a Map answer, 'timeout', or 'reject:USER'. */
  List inputAnswers = []
  List<Map> inputs = []
  List<Map> timeouts = []
  /** What happened, in order: "lmsctl VERB SUB", "input ID", "parallel BRANCH,…". */
  List<String> events = []
  List<Map> parallels = []

  void installFakes() {
    SourceRetriever root = { String repository, String branch, String targetPath ->
      [new File('.').canonicalFile.toURI().toURL()]
    } as SourceRetriever
    helper.registerSharedLibrary(library().name('lms-rollback').defaultVersion('main').allowOverride(true).implicit(false)
        .targetPath('.').retriever(root).build())
    binding.setVariable('currentBuild', [result: null, description: null, number: 41])
    binding.setVariable('params', [:])
    if (!binding.hasVariable('env')) binding.setVariable('env', [:])
    // real withEnv: the variables exist only inside the block
    helper.registerAllowedMethod('withEnv', [List, Closure], { List vars, Closure body ->
      Map env = binding.getVariable('env') as Map
      Map saved = new HashMap(env)
      vars.each { String v ->
        int eq = v.indexOf('=')
        env[v.substring(0, eq)] = v.substring(eq + 1)
      }
      // under CPS the body may only be scheduled here: restore after a normal return only
      def result = body()
      env.clear()
      env.putAll(saved)
      return result
    })
    // real withCredentials: each binding's variable holds the secret inside the block
    helper.registerAllowedMethod('withCredentials', [List, Closure], { List bindings, Closure body ->
      Map env = binding.getVariable('env') as Map
      Map saved = new HashMap(env)
      bindings.each { Map b -> env[b.variable] = "secret-of-${b.credentialsId}".toString() }
      def result = body()
      env.clear()
      env.putAll(saved)
      return result
    })
    // real error: fails the build and stops the step
    helper.registerAllowedMethod('error', [String], { String message ->
      binding.getVariable('currentBuild').result = binding.getVariable('currentBuild').result ?: 'FAILURE'
      throw new Exception(message)
    })
    helper.registerAllowedMethod('sh', [Map], { Map p ->
      lmsctl.onSh(p, binding.getVariable('env') as Map)
      List args = lmsctl.calls.last().args
      events << ('lmsctl ' + args.take(args.size() > 1 && !args[1].startsWith('-') ? 2 : 1).join(' '))
      0
    })
    // parallel as Jenkins runs it, made deterministic: every branch runs, in the order given
    helper.registerAllowedMethod('parallel', [Map], { Map branches ->
      parallels << branches
      events << ('parallel ' + branches.keySet().findAll { it != 'failFast' }.join(','))
      branches.findAll { it.key != 'failFast' }.each { name, body -> body() }
    })
    helper.registerAllowedMethod('readFile', [String], { String f -> lmsctl.files[f] })
    helper.registerAllowedMethod('fileExists', [String], { String f -> lmsctl.files.containsKey(f) })
    helper.registerAllowedMethod('file', [Map], { Map m -> m })
    helper.registerAllowedMethod('string', [Map], { Map m -> m })
    helper.registerAllowedMethod('junit', [Map], null)
    helper.registerAllowedMethod('timeout', [Map, Closure], { Map t, Closure body ->
      timeouts << t
      body()
    })
    helper.registerAllowedMethod('input', [Map], { Map p ->
      inputs << p
      events << "input ${p.id}".toString()
      def next = inputAnswers ? inputAnswers.remove(0) : 'timeout'
      if (next == 'timeout') throw new FlowInterruptedException(new TimeoutStepExecutionExceededTimeout())
      if (next instanceof String && next.startsWith('reject:')) throw new FlowInterruptedException(new Rejection(next.substring(7)))
      return next
    })
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
}

/** The fakes on JenkinsPipelineUnit's ordinary interpreter. */
abstract class LmsPipelineTest extends BasePipelineTest implements LmsFakes {
  @BeforeEach
  void setUpLibrary() {
    super.setUp()
    installFakes()
  }
}
