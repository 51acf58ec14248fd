package lms.rollback.pipeline

import groovy.json.JsonOutput

/** The gate's state as `lmsctl gate status` prints it: the "gate" object of a run waiting at its gate. */
final class JsonState {
  private JsonState() {}

  static String awaiting() {
    JsonOutput.toJson(Contract.read('rollback-awaiting').gate)
  }
}
