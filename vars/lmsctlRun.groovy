/**
 * Runs one lmsctl verb for the other steps. Every argument travels in an environment variable
 * (LMS_ARG_0, LMS_ARG_1, …): nothing a person typed ever becomes part of a shell string.
 * Returns [status: exit code, json: parsed stdout or null, text: stdout, reason: last stderr line].
 */
def call(Map config) {
  List args = config.args
  String outDir = config.outDir ?: 'lms-rollback'
  // one set of files per verb and sub-verb: `gate remind` runs beside `gate record` in a parallel branch
  String verb = args.size() > 1 && !(args[1] as String).startsWith('-') ? "${args[0]}-${args[1]}" : "${args[0]}"
  String tag = "${outDir}/.lmsctl-${verb}"
  List envVars = ["LMS_OUT=${outDir}", "LMS_STDOUT=${tag}.out", "LMS_STDERR=${tag}.err", "LMS_RC=${tag}.rc", "LMS_OUT_DIR=${outDir}"]
  String command = '"${LMSCTL:-lmsctl}"'
  envVars << "LMS_ARGC=${args.size()}"
  for (int i = 0; i < args.size(); i++) {
    envVars << "LMS_ARG_${i}=${args[i]}"
    command += ' "$LMS_ARG_' + i + '"'
  }
  // stdout (data) to a file; stderr (progress) to the console as it comes, and to a file for the reason
  String script = 'mkdir -p "$LMS_OUT" && ( ' + command + ' 2>&1 1>"$LMS_STDOUT"; echo $? >"$LMS_RC" ) | tee "$LMS_STDERR"'
  withEnv(envVars + (config.env ?: [])) {
    sh(script: script, label: "lmsctl ${args[0]}")
  }
  int status = readFile("${tag}.rc").trim() as int
  String out = fileExists("${tag}.out") ? readFile("${tag}.out") : ''
  String err = fileExists("${tag}.err") ? readFile("${tag}.err").trim() : ''
  String reason = err ? err.readLines().last() : "lmsctl ${args[0]} exited ${status}"
  def json = (out.trim().startsWith('{') || out.trim().startsWith('[')) ? new groovy.json.JsonSlurperClassic().parseText(out) : null
  return [status: status, json: json, text: out, reason: reason]
}
