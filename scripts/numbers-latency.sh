#!/usr/bin/env bash
# End-to-end latency of POST /api/v1/numbers on the embedded server (docs/benchmarks.md, Numbers API):
# one client, one keep-alive connection, composed numbers of LENGTH digits sent as raw PNGs.
# Usage: scripts/numbers-latency.sh [COUNT=1000] [LENGTH=6] [WARMUP=500]; MNIST from $STRATUS_DATA
# (default ../shared/data/mnist, else ~/.cache/stratus/mnist).
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/server-bench.sh" NumbersLatency "$@"
