#!/usr/bin/env bash
# podman, as podman-compose 1.0.3 (Debian bookworm's) should call it for services with
# network_mode: host. That version always adds "--net PROJECT_default --network-alias SERVICE",
# which podman refuses beside --network host ("cannot set multiple networks without bridge network
# mode"), and creates the bridge network for them. Later podman-compose releases and docker
# compose do neither; this wrapper drops both, and passes everything else to podman unchanged.
set -euo pipefail
if [[ "${1:-}" == network && "${2:-}" == exists ]]; then
  exit 0   # "exists": so that no bridge network is created for services on the host network
fi
host=0
for ((i = 1; i < $#; i++)); do
  if [[ "${!i}" == --network ]]; then
    next=$((i + 1))
    [[ "${!next}" == host ]] && host=1
  fi
done
args=()
skip=0
for arg in "$@"; do
  if [[ $skip -eq 1 ]]; then skip=0; continue; fi
  if [[ $host -eq 1 && ( "$arg" == --net || "$arg" == --network-alias ) ]]; then skip=1; continue; fi
  args+=("$arg")
done
exec podman "${args[@]}"
