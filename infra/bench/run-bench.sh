#!/usr/bin/env bash
# Benchmarks that prove the speed: builds everything, then runs io.imagegen.bench.BenchMain, which starts a fresh
# embedded stack (real Kafka broker and S3Proxy as child JVMs, api-service and workers in-process) per scenario,
# prints a table of figures against their targets and writes infra/bench/target/bench-results.json.
#
#   infra/bench/run-bench.sh [P1 P2 P3 P4 P5 P6 P7 ...] [--quick] [--check]
#
# No scenario named = all. --quick: short durations for a smoke run (a few minutes, rough figures). --check: exit 1
# when a figure regresses past its limit in infra/bench/bench-targets.json (run `--quick --check` before merging
# performance work; docs/performance.md#the-guard). BENCH_SKIP_BUILD=1 skips the build when nothing changed and
# reuses the classpath the last build wrote. The services' own logs go to infra/bench/target/bench-services.log so
# that they do not bury the table.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
out="$root/infra/bench/target"
classpath="$out/classpath.txt"
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  # package, not install: the classpath points into each module's target/, so nothing leaks into ~/.m2.
  echo "building: mvn -DskipTests -pl infra/bench -am package ..."
  mvn -B -q -ntp -DskipTests -pl infra/bench -am package dependency:build-classpath \
    -Dmdep.outputFile=target/classpath.txt
fi
missing=()
for needed in "$classpath" "$out/classes" "$root/infra/kafka-broker/target/lib" \
    "$root/infra/s3-server/target/s3proxy.jar"; do
  [[ -e "$needed" ]] || missing+=("$needed")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  if [[ "${BENCH_SKIP_BUILD:-0}" == 1 ]]; then
    echo "run-bench.sh: BENCH_SKIP_BUILD=1 reuses an earlier build's output, and these are missing:" >&2
    printf '  %s\n' "${missing[@]}" >&2
    echo "Run infra/bench/run-bench.sh once without BENCH_SKIP_BUILD (it builds them), then skip the build." >&2
  else
    echo "run-bench.sh: the build did not produce:" >&2
    printf '  %s\n' "${missing[@]}" >&2
  fi
  exit 1
fi
exec java ${BENCH_JAVA_OPTS:-} -Djava.awt.headless=true \
  -Dimagegen.kafka.lib="$root/infra/kafka-broker/target/lib" \
  -Dimagegen.s3proxy.jar="$root/infra/s3-server/target/s3proxy.jar" \
  -Dimagegen.bench.out="$out" \
  -Dimagegen.bench.targets="$root/infra/bench/bench-targets.json" \
  -Dlogback.configurationFile="$root/infra/bench/bench-logback.xml" \
  -cp "$out/classes:$(cat "$classpath")" \
  io.imagegen.bench.BenchMain "$@"
