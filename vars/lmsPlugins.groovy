/**
 * Fails at once, naming each missing plugin, when the controller lacks one the library needs —
 * instead of half-way through a rollback with "No such DSL method". See lmsPlugins.txt.
 */
def call(String step = 'lms-rollback') {
  // Strings only: the controller saves the program at error(), and its plugin manager cannot be saved
  List missing = lms.rollback.jenkins.Plugins.missingOnController() ?: []
  if (missing) {
    error("${step}: this Jenkins lacks plugin(s) ${missing.join(', ')}; install them (Manage Jenkins → Plugins) and run again. Nothing was done.")
  }
  return missing
}
