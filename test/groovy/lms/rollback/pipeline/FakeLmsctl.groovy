package lms.rollback.pipeline

import java.nio.file.Files
import java.nio.file.attribute.PosixFilePermissions

/**
 * A stand-in lmsctl that the steps' real shell scripts run, as they would run lmsctl on an agent: a
 * POSIX sh script that records its arguments (as it received them: never from the script text)
 * and its environment, and answers what the test told it for its verb — an exit code, stdout and
 * stderr — so that every failure path can be reached with its own exit code.
 *
 * Answers are keyed by the verb ("rollback", "gate-record"), optionally with the --through point
 * ("rollback@verify-blue"); the most specific wins. answerOnce queues answers consumed in order.
 * An answer listing "steps" leaves a file per step in --out-dir's steps/, as lmsctl rollback does.
 */
class FakeLmsctl {
  static final String SCRIPT = '''#!/bin/sh
d="$FAKE_LMSCTL_DIR"
# one call at a time: parallel branches call it side by side, and the counter and the queued answers are shared
while ! mkdir "$d/lock" 2>/dev/null; do sleep 0.01; done
trap 'rmdir "$d/lock" 2>/dev/null' EXIT
n=$(( $(cat "$d/count" 2>/dev/null || echo 0) + 1 ))
printf '%s\\0' "$@" > "$d/call.$n.args"
env > "$d/call.$n.env"
# the count last, and by rename: a test reading the calls from another branch meanwhile never sees a half-written call
echo "$n" > "$d/count.new" && mv "$d/count.new" "$d/count"
key="$1"
case "${2:-}" in -*|'') ;; *) key="$1-$2" ;; esac
through=""
out=""
prev=""
for a in "$@"; do [ "$prev" = "--through" ] && through="$a"; [ "$prev" = "--out-dir" ] && out="$a"; prev="$a"; done
# as the engine does: each step of the answer's "steps" in OUT_DIR/steps/ACTION.json
steps() { if [ -d "$1.steps" ] && [ -n "$out" ]; then mkdir -p "$out/steps" && cp "$1.steps"/*.json "$out/steps/"; fi; }
for k in "$key@$through" "$key" "$1"; do
  for q in "$d/answers/$k".q*.rc; do
    if [ -f "$q" ]; then
      base="${q%.rc}"; steps "$base"; cat "$base.out"; cat "$base.err" >&2; rc=$(cat "$q"); rm -rf "$q" "$base.out" "$base.err" "$base.steps"; exit "$rc"
    fi
  done
  if [ -f "$d/answers/$k.rc" ]; then
    steps "$d/answers/$k"; cat "$d/answers/$k.out"; cat "$d/answers/$k.err" >&2; exit "$(cat "$d/answers/$k.rc")"
  fi
done
echo '{}'
exit 0
'''

  final File dir
  final File script
  private int queued = 0

  FakeLmsctl(File dir) {
    this.dir = dir
    new File(dir, 'answers').mkdirs()
    script = new File(dir, 'lmsctl')
    script.text = SCRIPT
    Files.setPosixFilePermissions(script.toPath(), PosixFilePermissions.fromString('rwxr-xr-x'))
  }

  /** Every call for {@code key} gets this answer (unless a queued one comes first). */
  FakeLmsctl answer(String key, int rc, String out, String err = '', List<Map> steps = null) {
    write(key, rc, out, err, steps)
    return this
  }

  /** The next call for {@code key} gets this answer, once; queued answers are used in the order given. */
  FakeLmsctl answerOnce(String key, int rc, String out, String err = '', List<Map> steps = null) {
    write("${key}.q${String.format('%04d', ++queued)}", rc, out, err, steps)
    return this
  }

  /**
   * {@code steps}: the step files the call leaves (a killed call printed nothing, yet left the files of the steps it had
   * ended); by default those of the "steps" its output lists, as the engine writes a file per step it reports
   * (lms.rollback.runbook.StepFiles).
   */
  private void write(String base, int rc, String out, String err, List<Map> given) {
    File steps = new File(dir, "answers/${base}.steps")
    steps.deleteDir()
    def said = out?.trim()?.startsWith('{') ? new groovy.json.JsonSlurperClassic().parseText(out) : null
    List<Map> written = given != null ? given : said instanceof Map && said.steps ? said.steps as List<Map> : []
    if (written) {
      steps.mkdirs()
      written.each { Map step -> new File(steps, "${step.action}.json").text = groovy.json.JsonOutput.toJson(step) }
    }
    new File(dir, "answers/${base}.out").text = out
    new File(dir, "answers/${base}.err").text = err
    new File(dir, "answers/${base}.rc").text = "${rc}\n"
  }

  /** The calls so far, each its argument list as lmsctl received it. */
  List<List<String>> calls() {
    int n = new File(dir, 'count').exists() ? new File(dir, 'count').text.trim() as int : 0
    return (1..n).findAll { n > 0 }.collect { i ->
      String raw = new File(dir, "call.${i}.args").text
      raw.isEmpty() ? [] : raw.substring(0, raw.length() - 1).split('\u0000', -1) as List
    }
  }

  /** The environment of call {@code index} (0-based), as lmsctl saw it. */
  Map<String, String> env(int index) {
    Map<String, String> m = [:]
    new File(dir, "call.${index + 1}.env").readLines().each { String line ->
      int eq = line.indexOf('=')
      if (eq > 0) m[line.substring(0, eq)] = line.substring(eq + 1)
    }
    return m
  }

  List<List<String>> verbs(String verb) {
    calls().findAll { it && it[0] == verb }
  }

  List<List<String>> verbs(String verb, String sub) {
    calls().findAll { it.size() > 1 && it[0] == verb && it[1] == sub }
  }

  static String value(List<String> args, String option) {
    int i = args.indexOf(option)
    return i >= 0 && i + 1 < args.size() ? args[i + 1] : null
  }
}
