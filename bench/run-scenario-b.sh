#!/usr/bin/env bash
# Builds lmsctl if needed and runs the Scenario B machine-part benchmark: bench/run-scenario-b.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f target/lmsctl.jar ]] || mvn -q -B -DskipTests package
exec java -XX:+UseSerialGC -cp target/lmsctl.jar bench/ScenarioBMachineBench.java "${1:-7}" "${KUBECTL:-kubectl}"
