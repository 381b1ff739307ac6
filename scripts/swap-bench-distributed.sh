#!/usr/bin/env bash
# Model swaps in Kafka mode under load (issue 18; docs/benchmarks.md "Model swaps"): a fresh
# `up --distributed` (its workers follow the stratus-models control topic) is driven through nginx
# by `bench serve` at RATE/s, once for PLAIN seconds without swaps, then while SWAPS
# promote+rollback pairs are written to a registry (`stratus models`, one every 4 s) and published
# by one long-lived `stratus publish-models --watch`, which runs through both steps. Prints both
# steps' latency and every non-200, and when each swap reached the answers.
# Usage: scripts/swap-bench-distributed.sh [RATE=100] [SWAPS=20] [PLAIN=30]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RATE="${1:-100}"; SWAPS="${2:-20}"; PLAIN="${3:-30}"; PORT=18380
DATA="${STRATUS_DATA:-$ROOT/../shared/data/mnist}"
WORK="$(mktemp -d /tmp/stratus-swap-dist.XXXXXX)"
UP_PID=""
WATCH_PID=""
cleanup() {
  if [[ -n "$WATCH_PID" ]] && kill -0 "$WATCH_PID" 2>/dev/null; then kill -TERM "$WATCH_PID"; wait "$WATCH_PID" || true; fi
  if [[ -n "$UP_PID" ]] && kill -0 "$UP_PID" 2>/dev/null; then
    kill -TERM "$UP_PID"; for _ in $(seq 1 90); do kill -0 "$UP_PID" 2>/dev/null || break; sleep 1; done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

"$ROOT/stratus" up --distributed --port "$PORT" --work-dir "$WORK/stack" --rate-limit 0 > "$WORK/up.log" 2>&1 &
UP_PID=$!
for _ in $(seq 1 300); do grep -q "Stratus is ready on" "$WORK/up.log" && break; sleep 1; done
grep -q "Stratus is ready on" "$WORK/up.log" || { tail -20 "$WORK/up.log"; exit 1; }
set -a; . "$WORK/stack/secrets/client.env"; set +a
export STRATUS_KAFKA_BOOTSTRAP
STRATUS_KAFKA_BOOTSTRAP="$(awk -F'\t' '$1 ~ /^kafka-/ {printf "%s127.0.0.1:%s", sep, $3; sep=","}' "$WORK/stack/members.tsv")"
export STRATUS_MODELS="$WORK/registry"

"$ROOT/stratus" models list > "$WORK/list.txt"
SHIPPED="$(awk '$2 == "active" {print $1}' "$WORK/list.txt")"
mkdir -p "$WORK/candidate"
cp "$ROOT/models/default/model.onnx" "$WORK/candidate/"
sed "s/\"version\" : \"$SHIPPED\"/\"version\" : \"swap-candidate\"/" "$ROOT/models/default/model-card.json" > "$WORK/candidate/model-card.json"
"$ROOT/stratus" models add "$WORK/candidate" --data "$DATA" >/dev/null
# One publisher for the whole run: each registry change reaches the workers without a JVM start.
"$ROOT/stratus" publish-models --watch > "$WORK/publish.txt" 2>&1 &
WATCH_PID=$!
for _ in $(seq 1 60); do grep -q "^Published" "$WORK/publish.txt" && break; sleep 1; done
grep -q "^Published" "$WORK/publish.txt" || { cat "$WORK/publish.txt"; exit 1; }

bench() {  # NAME SECONDS
  "$ROOT/stratus" bench serve --url "http://127.0.0.1:$PORT" --data "$DATA" --rates "$RATE" --seconds "$2" \
    --warmup-seconds 20 --out "$WORK/$1.json" > "$WORK/$1.txt" 2>&1
}
summary() {
  python3 - "$WORK/$1.json" "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["steps"][0] if "steps" in d else d
l = s["latencyMs"]
print(f'{sys.argv[2]:>10}: {s["offeredRate"]}/s for {s["seconds"]} s  p50 {l["p50"]:.2f}  p99 {l["p99"]:.2f}  max {l["max"]:.2f} ms'
      f'  statuses {s["statusByCode"]}  connection errors {s["connectionErrors"]}  timeouts {s["timeouts"]}')
PY
}

bench plain "$PLAIN"
# Each swap is one registry change (a `stratus models` JVM start) every 4 s; the publisher that
# follows the registry runs through both steps. The measured step lasts as long as the swaps do.
SWAP_SECONDS=$((SWAPS * 2 * 4 + 10))
swapper() {
  sleep 22
  for i in $(seq 1 "$SWAPS"); do
    for action in "promote swap-candidate" rollback; do
      local t0; t0=$(date +%s.%N)
      "$ROOT/stratus" models $action >/dev/null
      echo "$action $(python3 -c "import time; print(round(time.time() - $t0, 2))")" >> "$WORK/admin.txt"
      python3 -c "import time; time.sleep(max(0, 4 - (time.time() - $t0)))"
    done
  done
}
swapper & SWAPPER=$!
bench swaps "$SWAP_SECONDS"
wait "$SWAPPER"
echo "swap-bench-distributed: $RATE/s through nginx; $SWAPS promote+rollback pairs published in the second step"
summary plain
summary swaps
awk '{n++; s += $NF} END {printf "     swaps: %d written, %.1f s each to write (one JVM start)\n", n, s / n}' "$WORK/admin.txt"
echo "   publish: $(grep -c "^Published" "$WORK/publish.txt") publications by one publish-models --watch"
for log in $(awk -F'\t' '$1 ~ /^worker/ {print $4}' "$WORK/stack/members.tsv"); do
  echo "    worker: $(grep -c "models now serving (control topic)" "$log" || true) swaps, $(grep -c "refused" "$log" || true) refusals ($log)"
done
