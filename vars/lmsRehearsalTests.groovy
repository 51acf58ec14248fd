/** The §9.1 test names of the plan the library ships (for a Jenkinsfile's choice parameter). */
def call() {
  return names(libraryResource('lms/rollback/rollback-plan.yaml'))
}

@NonCPS
List names(String yaml) {
  def m = yaml =~ /(?m)\{\s*test:\s*([a-z][a-z-]*)\s*,/
  List out = []
  while (m.find()) out << m.group(1)
  return out
}
