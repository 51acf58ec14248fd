package lms.rollback.pipeline

/**
 * Jenkins' `env` as each branch of a `parallel` sees it: a `withEnv` or `withCredentials` inside one branch is not seen
 * by the others, and a branch starts with what its parent had. (The stand-in of the controller's EnvActionImpl.)
 */
class BranchEnv extends AbstractMap<String, Object> implements Serializable {

  private final transient InheritableThreadLocal<Map<String, Object>> local = new InheritableThreadLocal<Map<String, Object>>() {
    @Override
    protected Map<String, Object> childValue(Map<String, Object> parent) {
      return parent == null ? null : new LinkedHashMap<String, Object>(parent)
    }
  }

  BranchEnv(Map<String, Object> initial) {
    local.set(new LinkedHashMap<String, Object>(initial))
  }

  private Map<String, Object> current() {
    Map<String, Object> m = local.get()
    if (m == null) {
      m = new LinkedHashMap<String, Object>()
      local.set(m)
    }
    return m
  }

  @Override
  Set<Map.Entry<String, Object>> entrySet() {
    return current().entrySet()
  }

  @Override
  Object put(String key, Object value) {
    return current().put(key, value)
  }

  @Override
  Object get(Object key) {
    return current().get(key)
  }

  @Override
  Object remove(Object key) {
    return current().remove(key)
  }

  @Override
  void clear() {
    current().clear()
  }

  /** Saved as the values this branch sees, as the controller saves its env. */
  private Object writeReplace() {
    return new LinkedHashMap<String, Object>(current())
  }
}
