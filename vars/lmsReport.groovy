/**
 * Completes a rollback's §8.2 report inside the tool: its ids, root cause, lessons learned and sign-offs, each
 * journaled by the engine (`lmsctl report`) under the person, with the plan role their Jenkins groups give them.
 * Then archives the report as it now reads (DRAFT until approved). See lmsReport.txt.
 */
def call(Map userConfig = [:]) {
  Map config = lmsConfig('lmsReport', [rollbackDir: null, by: null, sign: null, rootCause: null, lessons: null, incident: null,
                                       deployment: null, plan: null, archive: true], userConfig, ['rollbackDir', 'by'])
  List args = ['report', '--out-dir', config.rollbackDir, '--by', config.by]
  // the person's groups, as Jenkins knows them: the engine turns them into the plan role recorded with the entry
  List groups = lmsUserGroups(config.by)
  if (groups) args += ['--groups', groups.join(',')]
  if (config.sign) args += ['--sign', config.sign]
  if (config.rootCause) args += ['--root-cause', config.rootCause]
  if (config.lessons) args += ['--lessons', config.lessons]
  if (config.incident) args += ['--incident', config.incident]
  if (config.deployment) args += ['--deployment', config.deployment]
  if (config.plan) args += ['--plan', config.plan]
  def done = lmsctlRun(args: args, outDir: config.rollbackDir, actor: config.by)
  if (done.status != 0) error("lmsReport: nothing was recorded (lmsctl exit ${done.status}): ${done.reason}")
  if (config.archive) archiveArtifacts(artifacts: "${config.rollbackDir}/rollback-report*", allowEmptyArchive: true)
  echo("lmsReport: recorded by ${config.by}; ${done.text.readLines().findAll { it.trim() }.join('; ')}")
  return done
}
