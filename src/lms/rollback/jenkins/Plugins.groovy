package lms.rollback.jenkins

/** The Jenkins plugins the library's steps need, each with the step it brings. */
class Plugins implements Serializable {

  /** plugin id -> the pipeline step it provides (what a missing one fails with). */
  static final Map<String, String> REQUIRED = [
      'lockable-resources'        : 'lock',
      'pipeline-milestone-step'   : 'milestone',
      'pipeline-input-step'       : 'input',
      'workflow-basic-steps'      : 'timeout, waitUntil, withEnv, readFile, writeFile, archiveArtifacts',
      'workflow-durable-task-step': 'sh',
      'workflow-cps'              : 'parallel',
      'credentials-binding'       : 'withCredentials',
      'junit'                     : 'junit',
      'workflow-multibranch'      : 'properties',
  ]

  /**
   * The required plugins this controller lacks; empty when all are there, or when this is not a
   * Jenkins controller (nothing to ask). {@code installed} answers whether a plugin id is installed.
   */
  @NonCPS
  static List<String> missing(Closure<Boolean> installed) {
    return REQUIRED.keySet().findAll { !installed(it) }.collect { "${it} (step ${REQUIRED[it]})".toString() }
  }

  /**
   * The required plugins this running controller lacks, as plain Strings (nothing of the controller is kept: the
   * program is saved at the next step call); null when there is no controller to ask.
   */
  @NonCPS
  static List<String> missingOnController() {
    Closure<Boolean> installed = controller()
    return installed == null ? null : missing(installed)
  }

  /** Asks the running controller's plugin manager; null when there is no controller to ask. */
  @NonCPS
  static Closure<Boolean> controller() {
    try {
      def jenkins = Class.forName('jenkins.model.Jenkins').getInstanceOrNull()
      if (jenkins == null) return null
      def manager = jenkins.getPluginManager()
      return { String id -> def p = manager.getPlugin(id); p != null && p.isActive() }
    } catch (ClassNotFoundException e) {
      return null
    }
  }
}
