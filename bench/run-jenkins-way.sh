#!/usr/bin/env bash
# Builds lmsctl if needed and runs the Jenkins-way benchmark: bench/run-jenkins-way.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f target/lmsctl.jar ]] || mvn -q -B -DskipTests package
exec java -XX:+UseSerialGC -cp target/lmsctl.jar bench/JenkinsWayBench.java "${1:-5}"
