#!/usr/bin/env bash
# Builds lmsctl if needed and times report and audit verify on a 10k and a 100k-entry journal:
#   bench/run-journal-scale.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f target/lmsctl.jar && -f target/cds-training/journal.jsonl ]] || mvn -q -B -DskipTests package
exec java -XX:+UseSerialGC -cp target/lmsctl.jar bench/JournalScaleBench.java "${1:-3}"
