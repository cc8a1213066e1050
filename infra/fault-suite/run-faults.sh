#!/usr/bin/env bash
# The fault suite on its own: twelve scenarios against a real Kafka broker, a real S3 server and the fake upstream,
# with the api-service and worker-services as separate processes that get killed, frozen and restarted. Prints the
# figures table and leaves it in infra/fault-suite/target/fault-report/ (fault-report.md and .json); the services'
# logs of each scenario stay under infra/fault-suite/target/faults/.
#
#   infra/fault-suite/run-faults.sh [--scale N] [TestClass[#method] ...]
#
# --scale N multiplies the load of the load-bound scenarios (1 = what CI runs). With no class named, all run:
# WorkerCrashFaultsTest, InfrastructureFaultsTest, UpstreamFaultsTest. FAULTS_SKIP_BUILD=1 skips the build.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
scale=1
tests=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --scale) scale="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) tests+=("$1"); shift ;;
  esac
done
if [[ "${FAULTS_SKIP_BUILD:-0}" != 1 ]]; then
  echo "building: mvn -DskipTests install (fault-suite and what it needs) ..."
  mvn -B -q -ntp -DskipTests install -pl infra/fault-suite -am
fi
selection=()
if [[ ${#tests[@]} -gt 0 ]]; then
  selection=("-Dtest=$(IFS=,; echo "${tests[*]}")")
fi
status=0
mvn -B -ntp -pl infra/fault-suite verify -Dimagegen.faults.scale="$scale" "${selection[@]}" || status=$?
report="$root/infra/fault-suite/target/fault-report/fault-report.md"
if [[ -f "$report" ]]; then
  echo
  cat "$report"
fi
exit "$status"
