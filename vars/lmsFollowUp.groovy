/**
 * Ticks a follow-up of §7.1, §7.2 or §7.3 as done in the rollback's own journal: the engine's `lmsctl followups done`,
 * which refuses an item the plan does not have. Then lists what is still open. See lmsFollowUp.txt.
 */
def call(Map userConfig = [:]) {
  Map config = lmsConfig('lmsFollowUp', [action: null, by: null, note: null, rollbackDir: null, plan: null], userConfig,
      ['action', 'by', 'rollbackDir'])
  List args = ['followups', 'done', '--action', config.action, '--out-dir', config.rollbackDir, '-o', 'json']
  if (config.note) args += ['--note', config.note]
  if (config.plan) args += ['--plan', config.plan]
  def ticked = lmsctlRun(args: args, outDir: config.rollbackDir, actor: config.by)
  if (ticked.status != 0) error("lmsFollowUp: nothing was ticked (lmsctl exit ${ticked.status}): ${ticked.reason}")
  echo("Ticked by ${config.by}: ${ticked.json.action}")
  List listArgs = ['followups', '--out-dir', config.rollbackDir, '-o', 'json']
  if (config.plan) listArgs += ['--plan', config.plan]
  def listed = lmsctlRun(args: listArgs, outDir: config.rollbackDir)
  if (listed.json == null) error("lmsFollowUp: ticked, but the follow-ups could not be listed (lmsctl exit ${listed.status}): ${listed.reason}")
  List items = listed.json.items
  for (int i = 0; i < items.size(); i++) {
    if (items[i].state != 'done') echo("${items[i].state}: ${items[i].section} ${items[i].action} (${items[i].owner}, ${items[i].due ? 'due ' + items[i].due : 'due when its owner sets it'})")
  }
  return listed.json
}
