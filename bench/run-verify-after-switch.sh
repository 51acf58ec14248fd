#!/usr/bin/env bash
# Builds lmsctl if needed and measures Blue's verification after a real switch (needs Debian's prometheus):
#   bench/run-verify-after-switch.sh [scrape-seconds ...]     (default: 5 15)
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f target/lmsctl.jar ]] || mvn -q -B -DskipTests package
[[ $# -gt 0 ]] || set -- 5 15
exec java -XX:+UseSerialGC -cp target/lmsctl.jar bench/VerifyAfterSwitchBench.java "$@"
