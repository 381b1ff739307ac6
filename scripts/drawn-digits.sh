#!/usr/bin/env bash
# Issue 17's measurement (docs/benchmarks.md, "Drawn digits and verdicts"): MNIST test digits
# skeletonised and drawn as the page draws them at heights 20-300 px, sent to the embedded server
# as the canvas PNG and as strokes; then dots, blobs, scribbles and two-digit drawings.
# Usage: scripts/drawn-digits.sh [PER_SIZE=500] [NEGATIVES=500] [MODEL_DIR]; MNIST from $STRATUS_DATA
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
  dev.stratus.server.bench.DrawnDigits "$@"
