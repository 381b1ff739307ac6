#!/usr/bin/env bash
# JMH micro-benchmarks of the server's request path and store (server/src/test/java/dev/stratus/server/bench).
# Usage: scripts/jmh.sh [JMH options, e.g. RequestPath -f 1 -wi 2 -i 3]; MNIST from $STRATUS_DATA
# (default ../shared/data/mnist, else ~/.cache/stratus/mnist). Results also go to runs/jmh-<time>.json.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [[ -z "${STRATUS_DATA:-}" && -d "$ROOT/../shared/data/mnist" ]]; then
  export STRATUS_DATA="$ROOT/../shared/data/mnist"
fi
./mvnw -q -B -pl server -am package -DskipTests \
  dependency:copy-dependencies -DincludeScope=test -DoutputDirectory=target/jmh-lib >&2
mkdir -p runs
out="runs/jmh-$(date +%Y%m%d-%H%M%S).json"
exec java -cp "server/target/test-classes:server/target/classes:server/target/jmh-lib/*" \
  org.openjdk.jmh.Main -rf json -rff "$out" "$@"
