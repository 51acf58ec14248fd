package lms.rollback.pipeline

import com.lesfurets.jenkins.unit.PipelineTestHelper

/** What a Jenkinsfile needs beyond the library's steps: properties, parameters, triggers, build causes, libraryResource. */
final class JenkinsfileHarness {
  private JenkinsfileHarness() {}

  static void register(PipelineTestHelper helper, Binding binding, List causes) {
    helper.registerAllowedMethod('libraryResource', [String], { String path -> new File('resources', path).text })
    helper.registerAllowedMethod('properties', [List], null)
    helper.registerAllowedMethod('parameters', [List], { it })
    helper.registerAllowedMethod('choice', [Map], { it })
    helper.registerAllowedMethod('booleanParam', [Map], { it })
    helper.registerAllowedMethod('pipelineTriggers', [List], { it })
    helper.registerAllowedMethod('cron', [String], { it })
    helper.registerAllowedMethod('disableConcurrentBuilds', [], null)
    helper.registerAllowedMethod('node', [String, Closure], { String label, Closure body -> helper.callClosure(body) })
    // catchError as Jenkins runs it: the body's failure sets the build's result, and the pipeline goes on
    helper.registerAllowedMethod('catchError', [Map, Closure], { Map m, Closure body ->
      try {
        helper.callClosure(body)
      } catch (Exception e) {
        binding.getVariable('currentBuild').result = m.buildResult ?: 'FAILURE'
      }
    })
    binding.getVariable('currentBuild').getBuildCauses = { String type -> causes.findAll { it._class == type } }
  }
}
