/**
 * What every lms* step shares: the kubeconfig (and any other secret) from Jenkins credentials, its
 * time against its budget on the build's description, JUnit published and the build's files archived
 * whether it succeeded or not. The verb journals its own start, end and time: no extra lmsctl call.
 */
def call(Map config, Closure body) {
  String step = config.step
  String outDir = config.outDir
  List credentials = lmsCredentials(kubeconfig: config.kubeconfigCredentialsId, secrets: config.secrets ?: [:])
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
    currentBuild.description = "${step}: ${exit == 0 ? 'done' : 'FAILED'} in ${millis / 1000}s${config.budget ? ' of ' + config.budget : ''}"
    if (config.junit) junit(testResults: config.junit, allowEmptyResults: true)
    if (config.archive != false) archiveArtifacts(artifacts: "${outDir}/**", allowEmptyArchive: true)
  }
}
