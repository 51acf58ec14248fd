package lms.rollback.pipeline

import groovy.json.JsonOutput
import groovy.json.JsonSlurperClassic

/**
 * What lmsctl prints, as recorded from the real lmsctl in test/resources/contract/ — the answers the
 * stand-in gives the steps. ContractTest (Java) checks that the real lmsctl still prints every field
 * these files hold, so a step never reads a field lmsctl no longer writes.
 */
final class Contract {
  private Contract() {}

  static Map read(String name) {
    new JsonSlurperClassic().parseText(Contract.getResourceAsStream("/contract/${name}.json").getText('UTF-8')) as Map
  }

  static String text(String name, Closure change = null) {
    Map m = read(name)
    if (change) change(m)
    JsonOutput.toJson(m)
  }
}
