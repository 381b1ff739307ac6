#!/usr/bin/env bash
# distributed-cost.sh: what one prediction costs the whole distributed stack, in CPU and bytes.
#
# Starts `./stratus up --distributed` on a fresh work directory, drives it through nginx with
# `./stratus bench serve` (RATE/s, WARMUP s unrecorded, then SECONDS measured), and reads every
# stack process's user+system CPU and read/write bytes from /proc before and after the measured
# step (the load client excluded; a member's child processes, such as nginx's worker, included).
# Then: CPU of each role over IDLE s with no traffic, and 5 single requests through nginx
# (curl, warm). Stops everything it started and prints one table.
#
# Usage: scripts/distributed-cost.sh [--rate 200] [--seconds 20] [--warmup 20] [--idle 10]
#          [--port 18280] [--out DIR] [--hops] [-- extra 'up --distributed' options]
# --hops: also `./stratus bench hops` against the stack (the floor of one answer), after the idle part.
# Run it alone on the machine (its own numbers are CPU shares): on a shared machine,
#   flock /tmp/stratus-cpu.lock scripts/distributed-cost.sh
# Environment: STRATUS_DATA (MNIST directory, default ../shared/data/mnist beside the repository).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RATE=200 SECONDS_MEASURED=20 WARMUP=20 IDLE=10 PORT=18280 OUT="" HOPS=""
UP_EXTRA=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rate) RATE="$2"; shift 2 ;;
    --seconds) SECONDS_MEASURED="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --idle) IDLE="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --hops) HOPS=1; shift ;;
    --) shift; UP_EXTRA=("$@"); break ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "distributed-cost.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
DATA="${STRATUS_DATA:-$ROOT/../shared/data/mnist}"
OUT="${OUT:-$ROOT/runs/distributed-cost-$(date -u +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
WORK="$OUT/stack"
TICK=$(getconf CLK_TCK)
UP_PID=""

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

stop_stack() {
  [[ -n "$UP_PID" ]] || return 0
  if kill -0 "$UP_PID" 2>/dev/null; then
    log "stopping the stack (SIGTERM to up, PID $UP_PID)"
    kill -TERM "$UP_PID" 2>/dev/null || true
    for _ in $(seq 1 90); do kill -0 "$UP_PID" 2>/dev/null || break; sleep 1; done
    kill -0 "$UP_PID" 2>/dev/null && kill -KILL "$UP_PID" 2>/dev/null || true
  fi
  # Anything a member left behind (it should be none): by the PIDs members.tsv named.
  if [[ -f "$OUT/members.tsv" ]]; then
    while IFS=$'\t' read -r _ pid _ _; do
      kill -0 "$pid" 2>/dev/null && { log "killing leftover PID $pid"; kill -KILL "$pid" 2>/dev/null || true; }
    done < "$OUT/members.tsv"
  fi
  UP_PID=""
}
trap stop_stack EXIT
trap 'exit 130' INT TERM

# The PID and all its descendants (this kernel has no /proc/PID/task/TID/children).
tree() {
  ps -e -o pid=,ppid= | awk -v root="$1" '{ parent[$1] = $2 }
    END { for (p in parent) { q = p; while (q != root && q in parent && q > 1) q = parent[q]; if (q == root) print p } }'
}

# "role utime+stime(ticks) rchar wchar" for every role, summed over each member's process tree.
snapshot() {
  local role pid p stat io ticks r w
  while IFS=$'\t' read -r role pid _ _; do
    ticks=0 r=0 w=0
    for p in $(tree "$pid"); do
      stat=$(cat /proc/"$p"/stat 2>/dev/null) || continue
      stat="${stat##*) }"   # the fields after the command name, which may hold spaces
      read -r -a f <<< "$stat"
      ticks=$((ticks + f[11] + f[12]))
      io=$(cat /proc/"$p"/io 2>/dev/null) || io=""
      r=$((r + $(awk '/^rchar/ {print $2}' <<< "$io" || echo 0)))
      w=$((w + $(awk '/^wchar/ {print $2}' <<< "$io" || echo 0)))
    done
    echo "$role $ticks $r $w"
  done < "$OUT/roles.tsv"
}

# "role/thread-name ticks" for every thread of every member (Java names its native threads).
threads() {
  local role pid p
  while IFS=$'\t' read -r role pid _ _; do
    for p in $(tree "$pid"); do
      # One read per process; a thread name may hold spaces and parentheses, the fields after it not.
      cat /proc/"$p"/task/*/stat 2>/dev/null | awk -v role="$role" 'NF {
        lp = index($0, "("); rp = 0
        for (i = length($0); i > 0; i--) if (substr($0, i, 1) == ")") { rp = i; break }
        name = substr($0, lp + 1, rp - lp - 1); gsub(/ /, "_", name)
        n = split(substr($0, rp + 2), f, " ")
        print role "/" name ":" $1, f[12] + f[13] }'
    done
  done < "$OUT/roles.tsv"
}

# --- start -----------------------------------------------------------------------------------
# The load comes from 127.0.0.1, one client to nginx's per-client limit: no limit unless asked for.
[[ " ${UP_EXTRA[*]:-} " == *" --rate-limit "* ]] || UP_EXTRA=(--rate-limit 0 "${UP_EXTRA[@]}")
log "starting ./stratus up --distributed --port $PORT ${UP_EXTRA[*]:-} (work dir $WORK)"
"$ROOT/stratus" up --distributed --port "$PORT" --work-dir "$WORK" "${UP_EXTRA[@]}" > "$OUT/up.log" 2>&1 &
UP_PID=$!
for _ in $(seq 1 300); do
  grep -q "Stratus is ready on" "$OUT/up.log" 2>/dev/null && break
  kill -0 "$UP_PID" 2>/dev/null || { log "up exited:"; tail -20 "$OUT/up.log" >&2; exit 1; }
  sleep 1
done
grep -q "Stratus is ready on" "$OUT/up.log" || { log "not ready after 300 s"; tail -20 "$OUT/up.log" >&2; exit 1; }
cp "$WORK/members.tsv" "$OUT/members.tsv"
cp "$OUT/members.tsv" "$OUT/roles.tsv"
log "ready: $(grep -o 'Stratus is ready on [^ ]*' "$OUT/up.log")"
URL="http://127.0.0.1:$PORT"
# The stack's generated logins (CouchDB, Kafka), as its gateways and workers get them; curl takes
# the CouchDB one from a config on a pipe, not its command line.
set -a; . "$WORK/secrets/client.env"; set +a
couch_login() { printf 'user = "%s:%s"\n' "$STRATUS_COUCHDB_USER" "$STRATUS_COUCHDB_PASSWORD"; }

# The supervising up JVM is part of the stack too, counted alone (its children are the members).
# ./stratus execs sigint-default, which execs java: the job's PID is the JVM's.
supervisor_ticks() { local s; s=$(cat /proc/"$UP_PID"/stat); s="${s##*) }"; read -r -a f <<< "$s"; echo $((f[11] + f[12])); }

# --- load: warm-up, then the measured step, CPU read at its first and last progress line -------
log "bench serve: ${RATE}/s, ${WARMUP} s warm-up, ${SECONDS_MEASURED} s measured"
LABEL=$(printf '%6.0f/s' "$RATE")
coproc BENCH { "$ROOT/stratus" bench serve --url "$URL" --data "$DATA" --rates "$RATE" --seconds "$SECONDS_MEASURED" \
    --warmup-seconds "$WARMUP" --out "$OUT/bench.json" 2>&1; }
BENCH_PID_SAVED=$BENCH_PID
exec {BENCH_OUT}<&"${BENCH[0]}"   # bash unsets BENCH when the client exits; this stays open
first="" last_line=""
while IFS= read -r line <&"$BENCH_OUT"; do
  echo "$line" >> "$OUT/bench.log"
  if [[ "$line" == *"$LABEL"*" s: sent"* ]]; then
    sec=$(sed -E 's/.*\/s +([0-9]+) s: sent.*/\1/' <<< "$line")
    if [[ -z "$first" ]]; then
      first="$sec 0"; snapshot > "$OUT/cpu-before.txt"; threads > "$OUT/threads-before.txt"; echo "supervisor $(supervisor_ticks) 0 0" >> "$OUT/cpu-before.txt"
    elif [[ "$sec" -eq "$SECONDS_MEASURED" ]]; then
      last_line="$sec 0"; snapshot > "$OUT/cpu-after.txt"; threads > "$OUT/threads-after.txt"; echo "supervisor $(supervisor_ticks) 0 0" >> "$OUT/cpu-after.txt"
    fi
  fi
done
wait "$BENCH_PID_SAVED" || { log "bench serve failed:"; tail -20 "$OUT/bench.log" >&2; exit 1; }
[[ -n "$first" && -n "$last_line" ]] || { log "no progress lines for the measured step"; tail -20 "$OUT/bench.log" >&2; exit 1; }
read -r s0 _ <<< "$first"; read -r s1 _ <<< "$last_line"
# Progress lines count each second on its own: the window holds the seconds after the first line.
PREDICTIONS=$(grep -F "$LABEL" "$OUT/bench.log" | grep ' s: sent' \
  | sed -E 's/.*\/s +([0-9]+) s: sent.*answered +([0-9]+),.*/\1 \2/' \
  | awk -v from="$s0" -v to="$s1" '$1 > from && $1 <= to { n += $2 } END { print n + 0 }')
WINDOW=$((s1 - s0))

# --- single requests through nginx, warm ---------------------------------------------------------
# The first test image; gzip is cut off by od's early exit (SIGPIPE), which pipefail would count.
PIXELS=$(set +o pipefail; gzip -dc "$DATA/t10k-images-idx3-ubyte.gz" | od -An -tu1 -v -j16 -N784 | tr -s ' \n' ',' \
  | sed 's/^,//; s/,$//')
printf '{"pixels":[%s]}' "$PIXELS" > "$OUT/digit.json"
sleep 5
SINGLES=()
for _ in 1 2 3 4 5; do
  t=$(curl -s -o "$OUT/answer.json" -w '%{http_code} %{time_total} %{size_request} %{size_upload} %{size_header} %{size_download}' \
      -X POST -H 'Content-Type: application/json' --data-binary @"$OUT/digit.json" --max-time 10 "$URL/api/v1/predictions")
  SINGLES+=("$(awk '{printf "%s:%.1f", $1, $2 * 1000}' <<< "$t")")
  # size_request is what curl sent, headers and body; size_upload the body.
  SIZES=$(awk '{printf "request %d B (headers %d + body %d), answer %d B (headers %d + body %d)", $3, $3 - $4, $4, $5 + $6, $5, $6}' <<< "$t")
  sleep 0.5
done

# One stored document as the workers write it (its size is the CouchDB hop's payload).
COUCH_PORT=$(awk -F'\t' '$1 == "couchdb" { print $3 }' "$OUT/members.tsv")
curl -s --max-time 5 -K <(couch_login) "http://127.0.0.1:$COUCH_PORT/predictions/_all_docs?limit=1&include_docs=true" \
  | jq -c '.rows[0].doc | del(._rev)' > "$OUT/document.json" || true

# --- idle ------------------------------------------------------------------------------------------
sleep 5
snapshot > "$OUT/idle-before.txt"; echo "supervisor $(supervisor_ticks) 0 0" >> "$OUT/idle-before.txt"
sleep "$IDLE"
snapshot > "$OUT/idle-after.txt"; echo "supervisor $(supervisor_ticks) 0 0" >> "$OUT/idle-after.txt"
if [[ -n "$HOPS" ]]; then
  KAFKA_PORT=$(awk -F'\t' '$1 == "kafka-0" { print $3 }' "$OUT/members.tsv")
  log "bench hops against kafka-0 (port $KAFKA_PORT) and pouchdb-server"
  timeout 300 "$ROOT/stratus" bench hops --bootstrap "127.0.0.1:$KAFKA_PORT" --couchdb "http://127.0.0.1:$COUCH_PORT" \
    > "$OUT/hops.txt" 2>&1 || log "bench hops failed: see $OUT/hops.txt"
fi
stop_stack

# --- report --------------------------------------------------------------------------------------
{
  echo "distributed-cost: ${RATE}/s offered, ${WARMUP} s warm-up, CPU over ${WINDOW} s of the measured step ($(date -u +%FT%TZ))"
  echo "up options: ${UP_EXTRA[*]:-(defaults)}"
  jq -r '.steps[0] | "achieved \(.throughput | .*10|round/10)/s, answered \(.answered) of \(.scheduled) scheduled, errors \(.errors // 0), p50 \(.latencyMs.p50) ms, p99 \(.latencyMs.p99) ms"' "$OUT/bench.json"
  echo "predictions answered in the CPU window: $PREDICTIONS"
  printf '%-12s %12s %14s %14s %12s\n' role "CPU ms/pred" "read B/pred" "write B/pred" "idle % core"
  join <(sort "$OUT/cpu-before.txt") <(sort "$OUT/cpu-after.txt") | join - <(sort "$OUT/idle-before.txt") \
    | join - <(sort "$OUT/idle-after.txt") | awk -v n="$PREDICTIONS" -v tick="$TICK" -v idle="$IDLE" '
      { cpu = ($5 - $2) * 1000 / tick / n; rd = ($6 - $3) / n; wr = ($7 - $4) / n; id = ($11 - $8) * 100 / tick / idle
        printf "%-12s %12.2f %14.0f %14.0f %12.1f\n", $1, cpu, rd, wr, id
        tc += cpu; ti += id }
      END { printf "%-12s %12.2f %14s %14s %12.1f\n", "TOTAL", tc, "", "", ti }'
  echo "busiest threads (CPU ms per prediction; a thread's name, then its id):"
  join <(sort "$OUT/threads-before.txt") <(sort "$OUT/threads-after.txt") \
    | awk -v n="$PREDICTIONS" -v tick="$TICK" '{ d = ($3 - $2) * 1000 / tick / n; if (d >= 0.05) printf "  %6.2f %s\n", d, $1 }' \
    | sort -rn | head -25
  echo "single requests through nginx (status:ms): ${SINGLES[*]}"
  echo "HTTP sizes of one: $SIZES; one CouchDB document: $(tr -d '\n' < "$OUT/document.json" | wc -c) B of JSON"
  # Kafka records as stored, batch headers included: every node holds every partition (RF 3).
  for topic in digit-requests digit-replies; do
    du -cb "$WORK"/kafka/node-0/data/"$topic"*/*.log 2>/dev/null | tail -1 | cut -f1 \
      | awk -v t="$topic" -v n="$(jq '[.steps[0].answered] | add' "$OUT/bench.json")" -v w="$WARMUP" -v r="$RATE" \
        '{ printf "Kafka %s: %d B stored on each node, %.0f B per record (%d answered + %d warm-up + 5 singles)\n", t, $1, $1 / (n + w * r + 5), n, w * r }'
  done
  [[ -n "$HOPS" ]] && { echo "bench hops (one message at a time, on the idle stack):"; sed -n '/^hop /,$p' "$OUT/hops.txt" | grep -v '^$'; }
  echo "files: $OUT"
} | tee "$OUT/report.txt"
