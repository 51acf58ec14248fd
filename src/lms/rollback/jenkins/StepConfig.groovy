package lms.rollback.jenkins

/** Checks a step's Map arguments before anything runs: unknown keys and missing mandatory values are refused. */
class StepConfig implements Serializable {

  /** [config: defaults << user] when the arguments are fine, else [problem: an actionable sentence]. */
  @NonCPS
  static Map merge(String step, Map defaults, Map user, List mandatory) {
    List unknown = (user ?: [:]).keySet().findAll { !defaults.containsKey(it) }.collect { it.toString() }.sort()
    if (unknown) {
      return [problem: "${step}: unknown argument(s) ${unknown.join(', ')}; allowed: ${defaults.keySet().sort().join(', ')}. See ${step}.txt".toString()]
    }
    Map config = [:] + defaults + (user ?: [:])
    List missing = mandatory.findAll { config[it] == null || config[it].toString().trim().isEmpty() }
    if (missing) {
      return [problem: "${step}: missing mandatory argument(s) ${missing.join(', ')}, e.g. ${step}(${missing.collect { it + ": '…'" }.join(', ')})".toString()]
    }
    return [config: config]
  }

  /** Every build its own folder: the workspace outlives the build, and a build must never read another's journal or files. */
  @NonCPS
  static String buildOutDir(Object buildNumber) {
    return "lms-rollback/build-${buildNumber ?: 'local'}".toString()
  }
}
