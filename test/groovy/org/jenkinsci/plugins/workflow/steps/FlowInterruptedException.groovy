package org.jenkinsci.plugins.workflow.steps

/** Stand-in with Jenkins' class name: what input throws on rejection, and timeout on expiry. */
class FlowInterruptedException extends InterruptedException {
  final List causes

  FlowInterruptedException(Object... causes) {
    this.causes = causes as List
  }

  List getCauses() {
    return causes
  }
}
