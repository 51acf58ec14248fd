/**
 * Fails at once, naming each missing plugin, when the controller lacks one the library needs —
 * instead of half-way through a rollback with "No such DSL method". See lmsPlugins.txt.
 */
def call(String step = 'lms-rollback') {
  def installed = lms.rollback.jenkins.Plugins.controller()
  if (installed == null) return []
  List missing = lms.rollback.jenkins.Plugins.missing(installed)
  if (missing) {
    error("${step}: this Jenkins lacks plugin(s) ${missing.join(', ')}; install them (Manage Jenkins → Plugins) and run again. Nothing was done.")
  }
  return missing
}
