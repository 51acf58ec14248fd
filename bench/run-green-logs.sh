#!/usr/bin/env bash
# Builds lmsctl if needed and runs the Green-logs scaling benchmark: bench/run-green-logs.sh [rounds] [log-MiB]
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f target/lmsctl.jar ]] || mvn -q -B -DskipTests package
exec java -XX:+UseSerialGC -cp target/lmsctl.jar bench/GreenLogsBench.java "${1:-3}" "${2:-2}" ./lmsctl
