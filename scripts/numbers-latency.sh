#!/usr/bin/env bash
# End-to-end latency of POST /api/v1/numbers on the embedded server (docs/benchmarks.md, Numbers API):
# one client, one keep-alive connection, composed numbers of LENGTH digits sent as raw PNGs.
# Usage: scripts/numbers-latency.sh [COUNT=1000] [LENGTH=6] [WARMUP=500]; MNIST from $STRATUS_DATA
# (default ../shared/data/mnist, else ~/.cache/stratus/mnist).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [[ -z "${STRATUS_DATA:-}" && -d "$ROOT/../shared/data/mnist" ]]; then
  export STRATUS_DATA="$ROOT/../shared/data/mnist"
fi
./mvnw -q -B -pl server -am package -DskipTests \
  dependency:copy-dependencies -DincludeScope=test -DoutputDirectory=target/jmh-lib >&2
STRATUS_ACCESS_LOG=OFF exec java -cp "server/target/test-classes:server/target/classes:server/target/jmh-lib/*" \
  dev.stratus.server.bench.NumbersLatency "$@"
