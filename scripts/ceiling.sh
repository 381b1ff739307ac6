#!/usr/bin/env bash
# What this machine allows `bench serve` to reach, whatever the app does: the same load client,
# the same rates, against
#   1. nginx answering a fixed body (the client, the kernel and loopback TCP alone; skipped
#      without nginx), and
#   2. BareServer: the app's Javalin and Jetty, reading each body and answering a real answer's
#      bytes, and nothing else (server/src/test/java/dev/stratus/server/bench/BareServer.java).
# The app's own figures sit below (2): every prediction also parses, preprocesses, runs the CNN,
# stores and serialises. docs/benchmarks.md has the figures and what they mean.
#
# Usage: [RATES=6000,10000] scripts/ceiling.sh [other bench serve options, e.g. --seconds 20]
# MNIST from $STRATUS_DATA (default ../shared/data/mnist, else ~/.cache/stratus/mnist).
# Results: runs/ceiling-nginx-<time>.json and runs/ceiling-bare-<time>.json, each with a .png.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [[ -z "${STRATUS_DATA:-}" && -d "$ROOT/../shared/data/mnist" ]]; then
  export STRATUS_DATA="$ROOT/../shared/data/mnist"
fi
DATA_ARGS=()
[[ -n "${STRATUS_DATA:-}" ]] && DATA_ARGS=(--data "$STRATUS_DATA")

./mvnw -q -B -pl server -am package -DskipTests \
  dependency:copy-dependencies -DincludeScope=test -DoutputDirectory=target/jmh-lib >&2

work="$(mktemp -d "${TMPDIR:-/tmp}/stratus-ceiling.XXXXXX")"
bare_pid=""
nginx_pid=""
cleanup() {
  [[ -n "$bare_pid" ]] && kill "$bare_pid" 2>/dev/null || true
  [[ -n "$nginx_pid" ]] && kill -QUIT "$nginx_pid" 2>/dev/null || true
  sleep 0.5
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stamp="$(date +%Y%m%d-%H%M%S)"
mkdir -p runs
bench() {   # bench URL PID NAME [options]
  local url="$1" pid="$2" name="$3"; shift 3
  echo "ceiling: $name on $url" >&2
  "$ROOT/stratus" bench serve --url "$url" --server-pid "$pid" "${DATA_ARGS[@]}" \
    --rates "${RATES:-6000,8000,10000,12000,15000}" --seconds 10 --warmup-seconds 40 \
    --out "runs/ceiling-$name-$stamp.json" "$@"
}

java -cp "server/target/test-classes:server/target/classes:server/target/jmh-lib/*" \
  dev.stratus.server.bench.BareServer 0 "$work/answer.json" >"$work/bare.log" 2>&1 &
bare_pid=$!
url=""
for _ in $(seq 1 240); do                           # 60 s
  url="$(grep -o 'ready on http://[0-9.]*:[0-9]*' "$work/bare.log" | sed 's/ready on //')" || true
  [[ -n "$url" ]] && break
  kill -0 "$bare_pid" 2>/dev/null || { echo "ceiling: BareServer exited:" >&2; cat "$work/bare.log" >&2; exit 1; }
  sleep 0.25
done
[[ -n "$url" ]] || { echo "ceiling: BareServer not ready after 60 s" >&2; exit 1; }

nginx_bin="$(command -v nginx || true)"
[[ -z "$nginx_bin" && -x /usr/sbin/nginx ]] && nginx_bin=/usr/sbin/nginx
if [[ -n "$nginx_bin" ]]; then
  mkdir -p "$work/nginx/logs"
  for _ in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 40000))
    cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
pid nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_buffer_size 64k;
  client_body_temp_path body;
  server {
    listen 127.0.0.1:$port;
    location / { default_type application/json; return 200 '$(cat "$work/answer.json")'; }
  }
}
CONF
    if "$nginx_bin" -p "$work/nginx/" -c nginx.conf -e logs/error.log 2>/dev/null; then
      sleep 0.5
      nginx_pid="$(cat "$work/nginx/nginx.pid")"
      break
    fi
  done
  if [[ -n "$nginx_pid" ]]; then
    bench "http://127.0.0.1:$port" "$(pgrep -P "$nginx_pid" | head -n 1)" nginx "$@"
    kill -QUIT "$nginx_pid" 2>/dev/null || true
    nginx_pid=""
  else
    echo "ceiling: nginx did not start; skipping it" >&2
  fi
else
  echo "ceiling: no nginx on this machine; skipping the static-answer run" >&2
fi

bench "$url" "$bare_pid" bare "$@"
