#!/usr/bin/env bash
# Model swaps under load (issue 18; docs/benchmarks.md "Model swaps"): a fresh embedded server
# serving from a registry of two versions is driven by `bench serve` at RATE requests/s for
# SECONDS, once without swaps and once while SWAPS promote/rollback pairs run through the admin
# route, evenly spaced. Prints both steps' p50/p99/max and every non-200, and each swap's time.
# Usage: scripts/swap-bench.sh [RATE=1000] [SECONDS=20] [SWAPS=20]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RATE="${1:-1000}"; SECONDS_PER_STEP="${2:-20}"; SWAPS="${3:-20}"
PORT=18480; MPORT=18481
WORK="$(mktemp -d /tmp/stratus-swap-bench.XXXXXX)"
export STRATUS_ADMIN_TOKEN="swap-bench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
SERVER=""
KEEP="$ROOT/runs/swap-bench-$(date -u +%Y%m%d-%H%M%S)"
cleanup() {
  if [[ -n "$SERVER" ]]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  mkdir -p "$KEEP"; cp "$WORK"/*.json "$WORK"/*.txt "$WORK"/server.log "$KEEP"/ 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# A second version: the shipped model under another name (same weights: the swap is what is measured).
"$ROOT/stratus" models list --registry "$WORK/registry" > "$WORK/list.txt"
SHIPPED="$(awk '$2 == "active" {print $1}' "$WORK/list.txt")"
mkdir -p "$WORK/candidate"
cp "$ROOT/models/default/model.onnx" "$WORK/candidate/"
sed "s/\"version\" : \"$SHIPPED\"/\"version\" : \"swap-candidate\"/" "$ROOT/models/default/model-card.json" > "$WORK/candidate/model-card.json"
"$ROOT/stratus" models add "$WORK/candidate" --registry "$WORK/registry" >/dev/null

"$ROOT/stratus" up --registry "$WORK/registry" --port "$PORT" --management-port "$MPORT" --rate-limit 0 \
  --data-dir "$WORK/data" > "$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$PORT/api/v1/status" >/dev/null && break; sleep 0.5; done

bench() {
  "$ROOT/stratus" bench serve --url "http://127.0.0.1:$PORT" --rates "$RATE" --seconds "$SECONDS_PER_STEP" \
    --warmup-seconds 20 --out "$WORK/$1.json" > "$WORK/$1.txt" 2>&1
}
summary() {
  python3 - "$WORK/$1.json" "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["steps"][0] if "steps" in d else d
l = s["latencyMs"]
print(f'{sys.argv[2]:>10}: offered {s["offeredRate"]}/s  p50 {l["p50"]:.2f}  p99 {l["p99"]:.2f}  max {l["max"]:.2f} ms'
      f'  statuses {s["statusByCode"]}  connection errors {s["connectionErrors"]}  timeouts {s["timeouts"]}')
PY
}

bench plain
swapper() {
  sleep 22   # past bench serve's warm-up
  local gap; gap=$(python3 -c "print(max(0.1, $SECONDS_PER_STEP / ($SWAPS * 2.0) - 0.05))")
  for i in $(seq 1 "$SWAPS"); do
    for action in promote rollback; do
      local body='{}'; [[ $action == promote ]] && body='{"version":"swap-candidate"}'
 curl -s -o /dev/null -w "$action %{http_code} %{time_total}\n" -X POST -H "Authorization: Bearer $STRATUS_ADMIN_TOKEN" \
        -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$PORT/api/v1/models/$action" >> "$WORK/admin.txt"
      sleep "$gap"
    done
  done
}
swapper & SWAPPER=$!
bench swaps
wait "$SWAPPER"
echo "swap-bench: $RATE/s for $SECONDS_PER_STEP s after 20 s of warm-up; $SWAPS promote+rollback pairs in the second step"
summary plain
summary swaps
python3 - "$WORK/admin.txt" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1]) if len(l.split()) == 3]
if not rows:
    sys.exit('no swap was made: ' + open(sys.argv[1]).read()[:300])
codes = {}
for r in rows: codes[r[1]] = codes.get(r[1], 0) + 1
t = sorted(float(r[2]) * 1000 for r in rows)
print(f'     swaps: {len(rows)} admin calls, statuses {codes}, time per swap (load + warm + smoke test + switch) median {statistics.median(t):.0f} ms, max {t[-1]:.0f} ms')
PY
