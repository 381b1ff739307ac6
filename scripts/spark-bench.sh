#!/usr/bin/env bash
# Spark training benchmarks of docs/benchmarks.md, on a local standalone cluster (one core per
# worker, executors in JVMs of their own), with a single-JVM baseline measured in the same session:
#   stratus-5     the default network on 5 workers (batch 32 per worker: 160 images per step together)
#   paper-5       the original's setting: --arch paper, 10 epochs, 5 workers
#   paper-2-e3, paper-1-e3, jvm-paper-e3   scaling: 3 epochs on 2 and 1 workers and in one JVM
# then a table and a plot of test accuracy against training time (1 and 5 workers).
# Usage: scripts/spark-bench.sh [OUT_DIR] [RUN...]   (default: all runs, in the order above)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$(realpath -m "${1:-$ROOT/runs/spark-bench}")"; shift || true
RUNS=("$@"); [[ ${#RUNS[@]} -gt 0 ]] || RUNS=(stratus-5 paper-5 paper-2-e3 paper-1-e3 jvm-paper-e3)
DATA="${STRATUS_DATA:-$ROOT/../shared/data/mnist}"
PORT="${SPARK_BENCH_PORT:-7077}"
mkdir -p "$OUT"
cd "$ROOT"

on_spark() {  # on_spark NAME WORKERS TRAIN_ARGS...
  local name="$1" workers="$2"; shift 2
  ./stratus spark-cluster up --workers "$workers" --port "$PORT" --dir "$OUT/cluster-$name"
  trap './stratus spark-cluster down --dir "$OUT/cluster-$name"' EXIT
  ./stratus train --spark "spark://127.0.0.1:$PORT" --workers "$workers" --data "$DATA" --out "$OUT/$name" "$@" \
    2>&1 | tee "$OUT/$name.log"
  ./stratus spark-cluster down --dir "$OUT/cluster-$name"
  trap - EXIT
}

for run in "${RUNS[@]}"; do
  case "$run" in
    stratus-5)    on_spark "$run" 5 --arch stratus --batch-size 32 --epochs 8 ;;
    paper-5)      on_spark "$run" 5 --arch paper --epochs 10 ;;
    paper-2-e3)   on_spark "$run" 2 --arch paper --epochs 3 ;;
    paper-1-e3)   on_spark "$run" 1 --arch paper --epochs 3 ;;
    jvm-paper-e3) ./stratus train --arch paper --epochs 3 --data "$DATA" --out "$OUT/$run" 2>&1 | tee "$OUT/$run.log" ;;
    *) echo "unknown run $run" >&2; exit 2 ;;
  esac
done

runs=(); for r in jvm-paper-e3 paper-1-e3 paper-2-e3 paper-5 stratus-5; do [[ -f "$OUT/$r/model-card.json" ]] && runs+=("$OUT/$r"); done
./stratus compare-runs "${runs[@]}" | tee "$OUT/table.md"
plot=(); for r in paper-1-e3 paper-5; do [[ -f "$OUT/$r/model-card.json" ]] && plot+=("$OUT/$r"); done
if [[ ${#plot[@]} -gt 0 ]]; then
  ./stratus compare-runs --title "paper network on Spark: 1 and 5 workers" --plot "$OUT/accuracy-vs-time.png" "${plot[@]}" >/dev/null
fi
