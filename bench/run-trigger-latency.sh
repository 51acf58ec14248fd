#!/usr/bin/env bash
# Builds lmsctl if needed and runs the trigger-detection benchmark (needs Debian's prometheus):
#   bench/run-trigger-latency.sh [rounds] [interval-seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f target/lmsctl.jar ]] || mvn -q -B -DskipTests package
exec java -XX:+UseSerialGC -cp target/lmsctl.jar bench/TriggerLatencyBench.java "${1:-5}" "${2:-5}"
