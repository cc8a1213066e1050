#!/usr/bin/env bash
# Builds everything, then runs the embedded stack: a real Kafka broker and S3 server (from Maven Central),
# the api-service, a worker and the offline demo model. Ctrl-C stops it all.
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q -ntp -DskipTests package
# Readable log lines for a developer; services in production log JSON (docs/operations.md#logs).
exec java -Djava.awt.headless=true -DIMAGEGEN_LOG_FORMAT=text -jar infra/local-stack/target/imagegen-local.jar "$@"
