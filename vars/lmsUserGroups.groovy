/**
 * The Jenkins groups (authorities) of a user, so lmsctl can check them against the plan's roles.
 * Empty when the user is unknown or this is not a Jenkins controller.
 */
@NonCPS
def call(String userId) {
  try {
    def user = Class.forName('hudson.model.User').getById(userId, false)
    return user == null ? [] : user.getAuthorities().collect { it.toString() }
  } catch (ClassNotFoundException e) {
    return []
  }
}
