#!/usr/bin/env bash
# Benchmarks that prove the speed: builds everything, then runs io.imagegen.bench.BenchMain, which starts a fresh
# embedded stack (real Kafka broker and S3Proxy as child JVMs, api-service and workers in-process) per scenario,
# prints a table of figures against their targets and writes infra/bench/target/bench-results.json.
#
#   infra/bench/run-bench.sh [P1 P2 P3 P4 P5 P6 ...] [--quick]
#
# No scenario named = all. --quick: short durations for a smoke run (about three minutes, rough figures).
# BENCH_SKIP_BUILD=1 skips the build when nothing changed. The services' own logs go to
# infra/bench/target/bench-services.log so that they do not bury the table.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
out="$root/infra/bench/target"
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  echo "building: mvn -DskipTests install ..."
  mvn -B -q -ntp -DskipTests install
fi
mkdir -p "$out"
# java -cp rather than exec:java: a plain JVM of its own, so JVM flags apply and Maven's classloader is not involved.
mvn -B -q -ntp -pl infra/bench dependency:build-classpath -Dmdep.outputFile="$out/classpath.txt" >/dev/null
exec java ${BENCH_JAVA_OPTS:-} -Djava.awt.headless=true \
  -Dimagegen.kafka.lib="$root/infra/kafka-broker/target/lib" \
  -Dimagegen.s3proxy.jar="$root/infra/s3-server/target/s3proxy.jar" \
  -Dimagegen.bench.out="$out" \
  -Dorg.slf4j.simpleLogger.logFile="$out/bench-services.log" \
  -cp "$out/classes:$(cat "$out/classpath.txt")" \
  io.imagegen.bench.BenchMain "$@"
