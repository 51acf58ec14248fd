/**
 * What every lms* step shares: its arguments checked, the kubeconfig (and any other secret) from
 * Jenkins credentials, its own time journaled, and the journal archived whether it succeeded or not.
 */
def call(Map config, Closure body) {
  String step = config.step
  String outDir = config.outDir
  List credentials = []
  if (config.kubeconfigCredentialsId) credentials << file(credentialsId: config.kubeconfigCredentialsId, variable: 'KUBECONFIG')
  (config.secrets ?: [:]).each { variable, id -> credentials << string(credentialsId: id, variable: variable) }
  long started = System.currentTimeMillis()
  int exit = 1
  def result = null
  try {
    withCredentials(credentials) {
      result = body()
    }
    exit = result instanceof Map && result.status != null ? result.status as int : 0
    return result
  } finally {
    long millis = System.currentTimeMillis() - started
    Map fields = [step: step, millis: millis, exit: exit]
    if (config.budget) fields.budget = config.budget
    lmsJournal(outDir, 'jenkins.step', fields)
    currentBuild.description = "${step}: ${exit == 0 ? 'done' : 'FAILED'} in ${millis / 1000}s${config.budget ? ' of ' + config.budget : ''}"
    if (config.junit) junit(testResults: config.junit, allowEmptyResults: true)
    if (config.archive != false) archiveArtifacts(artifacts: "${outDir}/**", allowEmptyArchive: true)
  }
}
