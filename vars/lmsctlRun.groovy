/**
 * Runs one lmsctl verb for the other steps. Every argument travels in an environment variable
 * (LMS_ARG_0, LMS_ARG_1, …): nothing a person typed ever becomes part of a shell string.
 * Returns [status: exit code, json: parsed stdout or null, text: stdout, reason: last stderr line].
 * See lmsctlRun.txt.
 */
def call(Map config) {
  List args = config.args
  if (!args) error('lmsctlRun: args is empty; give the verb and its options, e.g. lmsctlRun(args: [\'status\', \'-o\', \'json\'])')
  String outDir = config.outDir ?: lms.rollback.jenkins.StepConfig.buildOutDir(env.BUILD_NUMBER)
  // one set of files per verb and sub-verb: `gate remind` runs beside `gate record` in a parallel branch
  String verb = args.size() > 1 && !(args[1] as String).startsWith('-') ? "${args[0]}-${args[1]}" : "${args[0]}"
  String tag = "${outDir}/.lmsctl-${verb}"
  List envVars = ["LMS_OUT=${outDir}", "LMS_STDOUT=${tag}.out", "LMS_STDERR=${tag}.err", "LMS_RC=${tag}.rc", "LMS_OUT_DIR=${outDir}"]
  if (config.actor) envVars << "LMS_ACTOR=${config.actor}"
  // the Jenkins user who answered an input (authenticated by Jenkins): journaled beside the agent's login with a decision
  if (config.jenkinsUser) envVars << "LMS_JENKINS_USER=${config.jenkinsUser}"
  envVars << "LMS_ARGC=${args.size()}"
  for (int i = 0; i < args.size(); i++) envVars << "LMS_ARG_${i}=${args[i]}"
  // the script is a library resource, the same text for every call: see it for why it reads as it does
  String script = libraryResource('lms/rollback/jenkins/lmsctl-run.sh')
  int status
  withEnv(envVars + (config.env ?: [])) {
    status = sh(script: script, returnStatus: true, label: "lmsctl ${verb}")
  }
  String out = fileExists("${tag}.out") ? readFile("${tag}.out") : ''
  String err = fileExists("${tag}.err") ? readFile("${tag}.err").trim() : ''
  String reason = err ? err.readLines().last() : "lmsctl ${verb} exited ${status}"
  return [status: status, json: parseJson(out), text: out, reason: reason]
}

/**
 * lmsctl's -o json answer as plain Maps and Lists, or null when it printed no JSON. @NonCPS: the parser lives only
 * inside this method, never on the CPS stack when the controller saves the program at the next step call.
 */
@NonCPS
Object parseJson(String out) {
  String trimmed = out == null ? '' : out.trim()
  return (trimmed.startsWith('{') || trimmed.startsWith('[')) ? new groovy.json.JsonSlurperClassic().parseText(trimmed) : null
}
