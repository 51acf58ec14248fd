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
    int rc
    String out
  }

  final List<Call> calls = []
  final Map<String, String> files = [:]
  /** First matching rule answers: [match: closure(args) -> boolean, rc: int, out: String, err: String]. */
  final List<Map> rules = []
  /** `gate remind` calls that found their prompt still open: the real one would have reminded until the deadline. */
  final List<List<String>> remindersLeftRunning = []

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
    Call call = new Call(args: args, script: params.script, env: new HashMap(env))
    Map rule = rules.find { it.match(args) } ?: (isRemind(args) ? remind(args) : [rc: 0, out: '{}', err: ''])
    call.rc = rule.rc as int
    call.out = rule.out
    calls << call
    if (rule.once) rules.remove(rule)
    files[env.LMS_RC] = "${rule.rc}\n"
    files[env.LMS_STDOUT] = rule.out
    files[env.LMS_STDERR] = rule.err
  }

  static boolean isRemind(List<String> args) {
    args.size() > 1 && args[0] == 'gate' && args[1] == 'remind'
  }

  /**
   * lmsctl gate remind as the engine behaves: it ends as soon as a recorded decision (approve,
   * reject or timeout, accepted: exit 0) has closed the same prompt; an unclosed prompt would keep it
   * reminding until the window's end.
   */
  Map remind(List<String> args) {
    boolean database = args.contains('--database')
    Call closing = calls.find { c ->
      c.rc == 0 && c.args.size() > 1 && c.args[0] == 'gate' && c.args[1] == 'record' && value(c.args, '--trigger') == value(args, '--trigger') &&
          c.args.contains('--database') == database && (database || value(c.args, '--level') == value(args, '--level')) &&
          (value(c.args, '--decision') != 'approve' || !database || c.out.contains('"databaseAuthorized":true'))
    }
    if (closing == null) remindersLeftRunning << args
    return [rc: 0, out: closing ? '{"sent":0,"cancelled":2,"closedBy":"' + value(closing.args, '--decision') + '"}' : '{"sent":2,"cancelled":0}', err: '']
  }

  List<List<String>> verbs(String verb) {
    calls.findAll { it.args && it.args[0] == verb }.collect { it.args }
  }

  static String value(List<String> args, String option) {
    int i = args.indexOf(option)
    return i >= 0 && i + 1 < args.size() ? args[i + 1] : null
  }
}
