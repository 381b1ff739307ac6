#!/usr/bin/env bash
# Model swaps in Kafka mode under load (issue 18; docs/benchmarks.md "Model swaps"): a fresh
# `up --distributed` (its workers follow the stratus-models control topic) is driven through nginx
# by `bench serve` at RATE/s, once for PLAIN seconds without swaps, then while SWAPS
# promote+rollback pairs (one every 4 s) are sent as curl calls to the gateways' admin route
# (`POST /api/v1/models/{promote|rollback}`, through nginx): the gateway that takes one writes the
# registry ($STRATUS_MODELS, shared by the gateways) and publishes the routing through its own
# long-lived producer; no JVM starts per swap. Prints both steps' latency and every non-200, each
# admin call's status and time, and how many swaps each worker made.
# Usage: scripts/swap-bench-distributed.sh [RATE=100] [SWAPS=20] [PLAIN=30]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RATE="${1:-100}"; SWAPS="${2:-20}"; PLAIN="${3:-30}"; PORT=18380
DATA="${STRATUS_DATA:-$ROOT/../shared/data/mnist}"
WORK="$(mktemp -d /tmp/stratus-swap-dist.XXXXXX)"
UP_PID=""
cleanup() {
  if [[ -n "$UP_PID" ]] && kill -0 "$UP_PID" 2>/dev/null; then
    kill -TERM "$UP_PID"; for _ in $(seq 1 90); do kill -0 "$UP_PID" 2>/dev/null || break; sleep 1; done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

export STRATUS_MODELS="$WORK/registry"
export STRATUS_ADMIN_TOKEN
STRATUS_ADMIN_TOKEN="swap-bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
"$ROOT/stratus" models list > "$WORK/list.txt"
SHIPPED="$(awk '$2 == "active" {print $1}' "$WORK/list.txt")"
mkdir -p "$WORK/candidate"
cp "$ROOT/models/default/model.onnx" "$WORK/candidate/"
sed "s/\"version\" : \"$SHIPPED\"/\"version\" : \"swap-candidate\"/" "$ROOT/models/default/model-card.json" > "$WORK/candidate/model-card.json"
"$ROOT/stratus" models add "$WORK/candidate" --data "$DATA" >/dev/null

# The gateways inherit STRATUS_MODELS and STRATUS_ADMIN_TOKEN: each publishes the registry's state at start.
"$ROOT/stratus" up --distributed --port "$PORT" --work-dir "$WORK/stack" --rate-limit 0 > "$WORK/up.log" 2>&1 &
UP_PID=$!
for _ in $(seq 1 300); do grep -q "Stratus is ready on" "$WORK/up.log" && break; sleep 1; done
grep -q "Stratus is ready on" "$WORK/up.log" || { tail -20 "$WORK/up.log"; exit 1; }

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
# Each swap is one admin call every 4 s. The measured step lasts as long as the swaps do.
SWAP_SECONDS=$((SWAPS * 2 * 4 + 10))
swapper() {
  sleep 22
  for i in $(seq 1 "$SWAPS"); do
    for action in promote rollback; do
      local t0; t0=$(date +%s.%N)
      local body='{}'; [[ "$action" == promote* ]] && body='{"version":"swap-candidate"}'
      curl -sS -o /dev/null -w "$action %{http_code} %{time_total}\n" --max-time 30 -X POST \
        -H "Authorization: Bearer $STRATUS_ADMIN_TOKEN" -H 'Content-Type: application/json' -d "$body" \
        "http://127.0.0.1:$PORT/api/v1/models/$action" >> "$WORK/admin.txt" || echo "$action 000 30" >> "$WORK/admin.txt"
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
sort -n -k3 "$WORK/admin.txt" | awk '{t[NR] = $3 * 1000; s += t[NR]; if ($2 != 200) bad++}
  END {printf "     swaps: %d admin calls, %d not 200; latency mean %.1f  p50 %.1f  max %.1f ms (curl, check + publish)\n",
       NR, bad, s / NR, t[int((NR + 1) / 2)], t[NR]}'
for log in $(awk -F'\t' '$1 ~ /^worker/ {print $4}' "$WORK/stack/members.tsv"); do
  echo "    worker: $(grep -c "models now serving (control topic)" "$log" || true) swaps, $(grep -c "refused" "$log" || true) refusals ($log)"
done
