#!/usr/bin/env bash
# Issue 17's measurement (docs/benchmarks.md, "Drawn digits and verdicts"): MNIST test digits
# skeletonised and drawn as the page draws them at heights 20-300 px, sent to the embedded server
# as the canvas PNG and as strokes; then dots, blobs, scribbles and two-digit drawings.
# Usage: scripts/drawn-digits.sh [PER_SIZE=500] [NEGATIVES=500] [MODEL_DIR]; MNIST from $STRATUS_DATA
# (default ../shared/data/mnist, else ~/.cache/stratus/mnist).
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/server-bench.sh" DrawnDigits "$@"
