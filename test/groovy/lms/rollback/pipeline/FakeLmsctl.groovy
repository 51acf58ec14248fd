package lms.rollback.pipeline

/**
 * lmsctl as the pipeline meets it through sh: each call's arguments are read from the
 * LMS_ARG_n environment variables (never from the script), and answered with an exit code,
 * stdout and stderr written where lmsctlRun reads them back.
 */
class FakeLmsctl {
  /** One call: the arguments as lmsctl received them, and the shell script that carried them. */
  static class Call {
    List<String> args
    String script
    Map<String, String> env
  }

  final List<Call> calls = []
  final Map<String, String> files = [:]
  /** First matching rule answers: [match: closure(args) -> boolean, rc: int, out: String, err: String]. */
  final List<Map> rules = []

  FakeLmsctl answer(Closure<Boolean> match, int rc, String out, String err = '') {
    rules.add(0, [match: match, rc: rc, out: out, err: err])
    return this
  }

  /** Answers once, then falls through to the next matching rule. */
  FakeLmsctl answerOnce(Closure<Boolean> match, int rc, String out, String err = '') {
    rules.add(0, [match: match, rc: rc, out: out, err: err, once: true])
    return this
  }

  void onSh(Map params, Map env) {
    List<String> args = []
    int argc = env.LMS_ARGC as int
    for (int i = 0; i < argc; i++) args << env["LMS_ARG_${i}".toString()]
    calls << new Call(args: args, script: params.script, env: new HashMap(env))
    Map rule = rules.find { it.match(args) } ?: [rc: 0, out: '{}', err: '']
    if (rule.once) rules.remove(rule)
    files[env.LMS_RC] = "${rule.rc}\n"
    files[env.LMS_STDOUT] = rule.out
    files[env.LMS_STDERR] = rule.err
  }

  List<List<String>> verbs(String verb) {
    calls.findAll { it.args && it.args[0] == verb }.collect { it.args }
  }

  static String value(List<String> args, String option) {
    int i = args.indexOf(option)
    return i >= 0 && i + 1 < args.size() ? args[i + 1] : null
  }
}
