#!/usr/bin/env bash
# The Gatling simulations against a fresh Stratus: starts the app on a free loopback port (rate
# limit off, a temporary data directory, access log off unless STRATUS_ACCESS_LOG says otherwise),
# waits for /api/v1/status, runs the simulations, stops the app by its PID, prints the reports.
#
# Usage: scripts/load.sh [original|open|all] [-Dusers=10,25,50,1000] [-Drates=250,500,...] [-Dseconds=20]
#        [-DmaxErrorPercent=1] [any other Maven argument]
# Extra settings for the app: STRATUS_UP_ARGS="--max-batch 32 --queue-capacity 8192" scripts/load.sh
# See docs/load-testing.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

which="${1:-all}"
[[ $# -gt 0 ]] && shift
case "$which" in
  original) simulations=(OriginalScenariosSimulation) ;;
  open)     simulations=(OpenModelSimulation) ;;
  all)      simulations=(OriginalScenariosSimulation OpenModelSimulation) ;;
  *) echo "load: first argument is original, open or all, not '$which'" >&2; exit 2 ;;
esac

work="$(mktemp -d "${TMPDIR:-/tmp}/stratus-load.XXXXXX")"
log="$work/server.log"
app_pid=""

stop_app() {
  if [[ -n "$app_pid" ]] && kill -0 "$app_pid" 2>/dev/null; then
    kill -TERM "$app_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$app_pid" 2>/dev/null; then
      echo "load: the app did not stop within 10 s of SIGTERM; killing PID $app_pid" >&2
      kill -KILL "$app_pid" 2>/dev/null || true
    fi
    wait "$app_pid" 2>/dev/null || true
  fi
  app_pid=""
}
trap 'stop_app; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# Port 0: the app binds a free port itself and says which in its "ready" line, so no race for it.
# shellcheck disable=SC2086  # STRATUS_UP_ARGS is a list of words on purpose
STRATUS_ACCESS_LOG="${STRATUS_ACCESS_LOG:-OFF}" "$ROOT/stratus" up --host 127.0.0.1 --port 0 --rate-limit 0 \
  --data-dir "$work/data" ${STRATUS_UP_ARGS:-} >"$log" 2>&1 &
app_pid=$!
echo "load: starting the app (PID $app_pid, log $log)..." >&2

url=""
for _ in $(seq 1 480); do                           # 120 s
  if ! kill -0 "$app_pid" 2>/dev/null; then
    echo "load: the app exited before it was ready; the end of its log:" >&2; tail -n 20 "$log" >&2; exit 1
  fi
  url="$(grep -o 'Stratus is ready on http://[0-9.]*:[0-9]*' "$log" | head -n 1 | sed 's/.* on //')" || true
  if [[ -n "$url" ]] && curl -fsS -o /dev/null --max-time 2 "$url/api/v1/status"; then
    break
  fi
  url=""
  sleep 0.25
done
if [[ -z "$url" ]]; then
  echo "load: the app was not ready after 120 s; the end of its log:" >&2; tail -n 20 "$log" >&2; exit 1
fi
echo "load: the app is ready on $url" >&2

status=0
for simulation in "${simulations[@]}"; do
  echo "load: running $simulation against $url" >&2
  "$ROOT/mvnw" -B -ntp -pl load gatling:test -Dgatling.simulationClass="dev.stratus.load.$simulation" \
    -DbaseUrl="$url" "$@" || status=$?
  if (( status != 0 )); then break; fi
done

stop_app
echo "load: reports (open index.html in a browser):" >&2
ls -1dt "$ROOT"/load/target/gatling/*/ 2>/dev/null | head -n "${#simulations[@]}" | sed 's#$#index.html#' >&2
exit "$status"
