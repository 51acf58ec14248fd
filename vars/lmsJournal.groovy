/** Adds one entry to the audit journal in outDir (lmsctl audit record). See lmsJournal.txt. */
def call(String outDir, String type, Map fields) {
  List args = ['audit', 'record', '--type', type, '--out-dir', outDir]
  fields.each { k, v -> args += ['--field', "${k}=${v}"] }
  return lmsctlRun(args: args, outDir: outDir)
}
