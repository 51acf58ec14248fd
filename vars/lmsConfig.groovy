/**
 * A step's Map arguments, checked first: defaults << userConfig, or error with an actionable sentence.
 * An outDir left unset becomes this build's own folder (lms-rollback/build-N).
 */
def call(String step, Map defaults, Map userConfig, List mandatory) {
  Map checked = lms.rollback.jenkins.StepConfig.merge(step, defaults, userConfig, mandatory)
  if (checked.problem) error(checked.problem)
  Map config = checked.config
  if (config.containsKey('outDir') && !config.outDir) config.outDir = lms.rollback.jenkins.StepConfig.buildOutDir(env.BUILD_NUMBER)
  return config
}
