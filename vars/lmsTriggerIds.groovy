/** The trigger ids of the plan the library ships (for a Jenkinsfile's choice parameter). */
def call() {
  return ids(libraryResource('lms/rollback/rollback-plan.yaml'))
}

@NonCPS
List ids(String yaml) {
  def m = yaml =~ /(?m)\{\s*id:\s*((?:AUTO|MAN|BUS)-\d{3})\b/
  List out = []
  while (m.find()) out << m.group(1)
  return out
}
