package org.jenkinsci.plugins.workflow.support.steps.input

/** Stand-in with Jenkins' class name: who rejected an input. */
class Rejection implements Serializable {
  static class User implements Serializable {
    final String id

    User(String id) {
      this.id = id
    }
  }

  final User user

  Rejection(String userId) {
    this.user = new User(userId)
  }
}
