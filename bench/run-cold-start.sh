#!/usr/bin/env bash
# Builds lmsctl (and its class-data archive) if needed and times cold lmsctl calls against kubectl:
#   bench/run-cold-start.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f target/lmsctl.jar && -f target/lmsctl.jsa ]] || mvn -q -B -DskipTests package
exec java -XX:+UseSerialGC -cp target/lmsctl.jar bench/ColdStartBench.java "${1:-7}" "${KUBECTL:-kubectl}"
