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
  envVars << "LMS_ARGC=${args.size()}"
  String command = '"${LMSCTL:-lmsctl}"'
  for (int i = 0; i < args.size(); i++) {
    envVars << "LMS_ARG_${i}=${args[i]}"
    command += ' "$LMS_ARG_' + i + '"'
  }
  // Jenkins runs this as /bin/sh -xe: without `set +e` a failing lmsctl would end the script before its
  // exit code is written. Files of an earlier call are removed first, so none is ever read twice.
  // stderr (progress) reaches the console as it comes, and a file for the reason; stdout (data) a file.
  String script = '''set +e
mkdir -p "$LMS_OUT" || exit 70
rm -f "$LMS_STDOUT" "$LMS_STDERR" "$LMS_RC"
{ ''' + command + ''' 2>&1 1>"$LMS_STDOUT"; echo $? >"$LMS_RC"; } | tee "$LMS_STDERR"
if [ ! -s "$LMS_RC" ]; then echo "lmsctl left no exit code (killed?)" >&2; exit 1; fi
exit "$(cat "$LMS_RC")"
'''
  int status
  withEnv(envVars + (config.env ?: [])) {
    status = sh(script: script, returnStatus: true, label: "lmsctl ${verb}")
  }
  String out = fileExists("${tag}.out") ? readFile("${tag}.out") : ''
  String err = fileExists("${tag}.err") ? readFile("${tag}.err").trim() : ''
  String reason = err ? err.readLines().last() : "lmsctl ${verb} exited ${status}"
  String trimmed = out.trim()
  def json = (trimmed.startsWith('{') || trimmed.startsWith('[')) ? new groovy.json.JsonSlurperClassic().parseText(trimmed) : null
  return [status: status, json: json, text: out, reason: reason]
}
