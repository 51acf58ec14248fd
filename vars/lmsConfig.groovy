/** A step's Map arguments, checked first: defaults << userConfig, or error with an actionable sentence. */
def call(String step, Map defaults, Map userConfig, List mandatory) {
  Map checked = lms.rollback.jenkins.StepConfig.merge(step, defaults, userConfig, mandatory)
  if (checked.problem) error(checked.problem)
  return checked.config
}
