#!/usr/bin/env bash
# Installs, idempotently, the Debian packages whose programs tests drive; those tests fail (never skip) without them.
# The Maven build of infra/deploy-check and infra/local-stack runs it (initialize phase), so the README's one test
# command passes on a fresh machine.
#   promtool  (prometheus)  deploy-check: alert rules checked and unit-tested
#   chromium  (chromium)    local-stack: the playground's browser tests
#   kubectl   (kubernetes-client, only when the machine image has no kubectl: the two conflict)
#                           deploy-check: kustomize renders deploy/k8s
set -euo pipefail
missing=()
command -v promtool >/dev/null || missing+=(prometheus)
command -v chromium >/dev/null || missing+=(chromium)
command -v kubectl >/dev/null || missing+=(kubernetes-client)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "install-test-tools: missing ${missing[*]}; install them as root (apt-get install -y ${missing[*]})" >&2
  exit 0
fi
echo "install-test-tools: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
