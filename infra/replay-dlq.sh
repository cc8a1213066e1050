#!/usr/bin/env bash
# Operator command: puts poison dead letters back on the jobs topic once their cause is fixed (README, "Dead letters
# and replay"). Reads the same IMAGEGEN_KAFKA_* variables as the worker; builds the worker jar if it is missing.
#
#   IMAGEGEN_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092 infra/replay-dlq.sh [--task-id ID]... [--code CODE]...
#       [--since 24h|2026-01-31T00:00:00Z] [--dry-run]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jar="$root/worker-service/target/imagegen-worker.jar"
if [[ ! -f "$jar" ]]; then
  (cd "$root" && mvn -B -q -ntp -DskipTests -pl worker-service -am package)
fi
exec java -cp "$jar" io.imagegen.worker.deadletters.DlqReplay "$@"
