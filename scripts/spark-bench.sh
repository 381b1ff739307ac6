#!/usr/bin/env bash
# Spark training benchmarks of docs/benchmarks.md, on a local standalone cluster:
#   the original's setting (--arch paper, 10 epochs) on 1, 2 and 5 workers, and the default
#   model on 5 workers; then a table and a plot of test accuracy against training time.
# Usage: scripts/spark-bench.sh [OUT_DIR] [WHICH...]   (WHICH: paper-1 paper-2 paper-5 stratus-5; default all)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$(realpath -m "${1:-$ROOT/runs/spark-bench}")"; shift || true
WHICH=("${@:-paper-1 paper-2 paper-5 stratus-5}")
DATA="${STRATUS_DATA:-$ROOT/../shared/data/mnist}"
PORT="${SPARK_BENCH_PORT:-7077}"
mkdir -p "$OUT"
cd "$ROOT"

bench() {  # bench NAME WORKERS TRAIN_ARGS...
  local name="$1" workers="$2"; shift 2
  ./stratus spark-cluster up --workers "$workers" --port "$PORT" --dir "$OUT/cluster-$name"
  trap './stratus spark-cluster down --dir "$OUT/cluster-$name"' EXIT
  ./stratus train --spark "spark://127.0.0.1:$PORT" --workers "$workers" --data "$DATA" --out "$OUT/$name" "$@" \
    2>&1 | tee "$OUT/$name.log"
  ./stratus spark-cluster down --dir "$OUT/cluster-$name"
  trap - EXIT
}

for run in ${WHICH[@]}; do
  case "$run" in
    paper-*)   bench "$run" "${run#paper-}" --arch paper --epochs 10 ;;
    stratus-*) bench "$run" "${run#stratus-}" --arch stratus ;;
    *) echo "unknown run $run" >&2; exit 2 ;;
  esac
done

runs=(); for d in "$OUT"/paper-1 "$OUT"/paper-2 "$OUT"/paper-5 "$OUT"/stratus-5; do [[ -f "$d/model-card.json" ]] && runs+=("$d"); done
plot_runs=(); for d in "$OUT"/paper-1 "$OUT"/paper-5; do [[ -f "$d/model-card.json" ]] && plot_runs+=("$d"); done
./stratus compare-runs "${runs[@]}" | tee "$OUT/table.md"
if [[ ${#plot_runs[@]} -gt 0 ]]; then
  ./stratus compare-runs --title "paper network on Spark: 1 and 5 workers" --plot "$OUT/accuracy-vs-time.png" "${plot_runs[@]}" >/dev/null
fi
