package jenkins.model

/**
 * Just enough of Jenkins' singleton for lmsPlugins: a plugin manager that knows the plugins a test
 * says are installed. {@code plugins} null: no controller (getInstanceOrNull returns null).
 */
class Jenkins {
  static List<String> plugins = null

  static Jenkins getInstanceOrNull() {
    plugins == null ? null : new Jenkins()
  }

  PluginManager getPluginManager() {
    new PluginManager()
  }

  static class PluginManager {
    Plugin getPlugin(String id) {
      plugins.contains(id) ? new Plugin() : null
    }
  }

  static class Plugin {
    boolean isActive() {
      true
    }
  }
}
