#!/usr/bin/env bash
# The HTTP core, chosen by measurement (issue 14). wrk (a C load generator: 2 threads, 64
# connections) posts a real MNIST digit as {"pixels": [...]} to each of these, one after the
# other, on this machine:
#   nginx      the app's answer bytes as a fixed reply: the HTTP ceiling of the machine
#   javalin    BareServer: Javalin and Jetty (the app's core until 1 Dec 2026), reading the body, answering those bytes
#   vertx      VertxBareServer: the same on Vert.x (event loops, no other thread)
#   netty      NettyBareServer: the same on plain Netty (the app's core since 1 Dec 2026)
#   app        ./stratus up --rate-limit 0 (a fresh data directory; access log on, as by default)
#   app-nolog  the same with STRATUS_ACCESS_LOG=OFF
# For the app it also reports the heap bytes allocated a request and the GC pauses in the measured
# seconds, from its own /metrics on its management port (METRICS_URL overrides where they are read).
# Each gets WARMUP seconds of load first (not recorded), then MEASURE seconds recorded.
#
# Usage: [WARMUP=30] [MEASURE=10] [ONLY="nginx javalin vertx netty app app-nolog"] scripts/http-cores.sh
# MNIST from $STRATUS_DATA (default ../shared/data/mnist, else ~/.cache/stratus/mnist).
# Prints a table; also writes it to runs/http-cores-<time>.txt.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WARMUP="${WARMUP:-30}"
MEASURE="${MEASURE:-10}"
ONLY="${ONLY:-nginx javalin vertx netty app app-nolog}"
DATA="${STRATUS_DATA:-}"
[[ -z "$DATA" && -d "$ROOT/../shared/data/mnist" ]] && DATA="$ROOT/../shared/data/mnist"
DATA="${DATA:-$HOME/.cache/stratus/mnist}"
export STRATUS_DATA="$DATA"

if ! command -v wrk >/dev/null 2>&1; then
  echo "http-cores: installing wrk (Debian package) ..." >&2
  SUDO=""; [[ "$(id -u)" -ne 0 ]] && SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q wrk >/dev/null
fi
"$ROOT/scripts/install-nginx.sh"

echo "http-cores: building the server and its test classes ..." >&2
./mvnw -q -B -pl server -am package -DskipTests \
  dependency:copy-dependencies -DincludeScope=test -DoutputDirectory=target/jmh-lib >&2
CP="server/target/test-classes:server/target/classes:server/target/jmh-lib/*"

work="$(mktemp -d "${TMPDIR:-/tmp}/stratus-http-cores.XXXXXX")"
pid=""
stop() {
  if [[ -n "$pid" ]]; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
    pid=""
  fi
}
cleanup() { stop; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# The request body: the first MNIST test digit, as the original's clients sent it.
python3 - "$DATA/t10k-images-idx3-ubyte.gz" >"$work/body.json" <<'PY'
import gzip, sys
raw = gzip.open(sys.argv[1]).read()
print('{"pixels":[' + ",".join(str(b) for b in raw[16:16 + 784]) + "]}", end="")
PY
cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/body.json", "rb")
wrk.body = f:read("*a")
f:close()
LUA

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
await_ready() {   # await_ready URL LOG
  for _ in $(seq 1 480); do
    curl -fs "$1/api/v1/status" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { echo "http-cores: the server exited:" >&2; tail -20 "$2" >&2; return 1; }
    sleep 0.25
  done
  echo "http-cores: not ready after 120 s" >&2; return 1
}

stamp="$(date +%Y%m%d-%H%M%S)"
mkdir -p runs
table="runs/http-cores-$stamp.txt"
printf '%-10s %12s %9s %9s %9s %8s  %s\n' server requests/s p50 p99 max non-2xx what | tee "$table"

measure() {   # measure NAME URL WHAT
  local name="$1" url="$2" what="$3"
  echo "http-cores: $name: ${WARMUP} s warm-up ..." >&2
  wrk -t2 -c64 -d"${WARMUP}s" -s "$work/post.lua" "$url/api/v1/predictions" >/dev/null
  echo "http-cores: $name: ${MEASURE} s measured ..." >&2
  local before=""; [[ "$name" == app* ]] && before="$(heap_counters "$url")"
  local out; out="$(wrk -t2 -c64 -d"${MEASURE}s" --latency -s "$work/post.lua" "$url/api/v1/predictions")"
  [[ -n "$before" ]] && heap_report "$name" "$before" "$(heap_counters "$url")" >>"$work/heap.txt"
  echo "$out" >"$work/$name.wrk"
  local rps p50 p99 max errors
  rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
  p50="$(awk '$1 == "50%" {print $2}' <<<"$out")"
  p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
  max="$(awk '$1 == "Latency" {print $4; exit}' <<<"$out")"
  errors="$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")"
  printf '%-10s %12s %9s %9s %9s %8s  %s\n' "$name" "$rps" "$p50" "$p99" "$max" "${errors:-0}" "$what" | tee -a "$table"
}

# The app's own counters (Micrometer): bytes allocated on the heap, requests, GC pauses and their time.
heap_counters() {   # heap_counters URL -> "allocated requests pauses pause_seconds"
  curl -fs "${METRICS_URL:-$1}/metrics" | awk '
    /^jvm_gc_memory_allocated_bytes_total/ {a += $NF}
    /^http_server_requests_seconds_count/ {r += $NF}
    /^jvm_gc_pause_seconds_count/ {n += $NF}
    /^jvm_gc_pause_seconds_sum/ {t += $NF}
    END {printf "%.0f %.0f %.0f %.6f\n", a, r, n, t}'
}
heap_report() {   # heap_report NAME BEFORE AFTER
  read -r a0 r0 n0 t0 <<<"$2"; read -r a1 r1 n1 t1 <<<"$3"
  awk -v name="$1" -v a="$((a1 - a0))" -v r="$((r1 - r0))" -v n="$((n1 - n0))" -v t0="$t0" -v t1="$t1" 'BEGIN {
    printf "%-10s %.0f bytes allocated a request; %d GC pauses, %.0f ms in all (%.1f ms each on average)\n",
      name, (r > 0 ? a / r : 0), n, (t1 - t0) * 1000, (n > 0 ? (t1 - t0) * 1000 / n : 0)}'
}

bare() {   # bare NAME CLASS WHAT
  local port; port="$(free_port)"
  java -cp "$CP" "dev.stratus.server.bench.$2" "$port" "$work/answer.json" >"$work/$1.log" 2>&1 &
  pid=$!
  await_ready "http://127.0.0.1:$port" "$work/$1.log"
  measure "$1" "http://127.0.0.1:$port" "$3"
  stop
}

for name in $ONLY; do
  case "$name" in
    javalin) bare javalin BareServer "Javalin 7 / Jetty 12, body read, answer bytes" ;;
    vertx) bare vertx VertxBareServer "Vert.x 5.0.7, 2 event loops, body read, answer bytes" ;;
    netty) bare netty NettyBareServer "Netty 4.2.9 NIO, 2 event loops, body aggregated, answer bytes (the app's core)" ;;
    nginx)
      if [[ ! -f "$work/answer.json" ]]; then   # the answer bytes come from BareServer
        port="$(free_port)"
        java -cp "$CP" dev.stratus.server.bench.BareServer "$port" "$work/answer.json" >"$work/answer.log" 2>&1 &
        pid=$!; await_ready "http://127.0.0.1:$port" "$work/answer.log"; stop
      fi
      port="$(free_port)"
      mkdir -p "$work/nginx/logs"
      cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_buffer_size 64k;
  client_body_temp_path body;
  server {
    listen 127.0.0.1:$port;
    location = /api/v1/status { return 200 '{"status":"ready"}'; }
    location / { default_type application/json; return 200 '$(cat "$work/answer.json")'; }
  }
}
CONF
      "$(command -v nginx || echo /usr/sbin/nginx)" -p "$work/nginx/" -c nginx.conf -e logs/error.log &
      pid=$!
      await_ready "http://127.0.0.1:$port" "$work/nginx/logs/error.log"
      measure nginx "http://127.0.0.1:$port" "nginx, 1 worker, the same answer as a fixed reply (the ceiling)"
      stop ;;
    app|app-nolog)
      port="$(free_port)"
      management="$(free_port)"
      if [[ "$name" == app ]]; then
        ./stratus up --rate-limit 0 --port "$port" --management-port "$management" --data-dir "$work/$name-data" \
          >"$work/$name.log" 2>&1 &
      else
        STRATUS_ACCESS_LOG=OFF ./stratus up --rate-limit 0 --port "$port" --management-port "$management" \
          --data-dir "$work/$name-data" >"$work/$name.log" 2>&1 &
      fi
      pid=$!
      await_ready "http://127.0.0.1:$port" "$work/$name.log"
      METRICS_URL="${METRICS_URL:-http://127.0.0.1:$management}" measure "$name" "http://127.0.0.1:$port" "./stratus up --rate-limit 0$([[ $name == app ]] && echo ', access log on (to a file)' || echo ', STRATUS_ACCESS_LOG=OFF')"
      stop ;;
    *) echo "http-cores: unknown server '$name'" >&2; exit 2 ;;
  esac
done
[[ -f "$work/heap.txt" ]] && { echo; echo "the app's heap over the measured seconds:"; cat "$work/heap.txt"; } | tee -a "$table"
echo "http-cores: wrk -t2 -c64, ${WARMUP} s warm-up then ${MEASURE} s measured each; table in $table" >&2
