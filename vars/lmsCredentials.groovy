/**
 * The credential bindings every lms* step takes, built in one place: the cluster's kubeconfig (a secret file), secret
 * texts by the variable lmsctl reads them from, and an SSH key (the controller's decision key). See lmsCredentials.txt.
 */
List call(Map userConfig = [:]) {
  Map config = lmsConfig('lmsCredentials', [kubeconfig: null, secrets: [:], sshKey: null, sshKeyVariable: 'LMS_DECISION_KEY'], userConfig, [])
  List bindings = []
  if (config.kubeconfig) bindings << file(credentialsId: config.kubeconfig, variable: 'KUBECONFIG')
  List named = config.secrets.collect { variable, id -> [variable, id] }
  for (int i = 0; i < named.size(); i++) bindings << string(credentialsId: named[i][1], variable: named[i][0])
  if (config.sshKey) bindings << sshUserPrivateKey(credentialsId: config.sshKey, keyFileVariable: config.sshKeyVariable)
  return bindings
}
