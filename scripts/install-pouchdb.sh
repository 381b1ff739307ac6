#!/usr/bin/env bash
# Installs pouchdb-server, the CouchDB-API server that CouchDbPredictionStoreTest runs against
# (Apache CouchDB itself cannot be installed here), into ${STRATUS_CACHE:-~/.cache/stratus}/pouchdb.
# Idempotent and quiet: installs only when missing, prints npm's output only if it fails, and
# always prints the binary's path (pass it to Maven as -Dstratus.pouchdb=PATH).
set -euo pipefail

VERSION="4.2.0"
DIR="${STRATUS_CACHE:-$HOME/.cache/stratus}/pouchdb"
BIN="$DIR/node_modules/.bin/pouchdb-server"
# Written only after npm succeeds: an interrupted install can leave the binary without its
# compiled sqlite3/leveldown modules, so the binary alone does not prove a usable install.
MARKER="$DIR/.installed-$VERSION"

if [[ -x "$BIN" && -f "$MARKER" ]]; then
  echo "$BIN"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "install-pouchdb: npm is missing; install Node.js 20 (apt-get install nodejs npm)" >&2
  exit 1
fi

mkdir -p "$DIR"
# Two builds starting at once must not run npm in the same directory together.
exec 9>"$DIR/.lock"
flock 9
if [[ ! -x "$BIN" || ! -f "$MARKER" ]]; then
  LOG="$(mktemp -t install-pouchdb.XXXXXX.log)"
  trap 'rm -f "$LOG"' EXIT
  echo "install-pouchdb: installing pouchdb-server@$VERSION (compiles sqlite3: a few minutes, once)" >&2
  if ! npm install --prefix "$DIR" --no-audit --no-fund --prefer-offline "pouchdb-server@$VERSION" >"$LOG" 2>&1; then
    cat "$LOG" >&2
    echo "install-pouchdb: npm install pouchdb-server@$VERSION failed" >&2
    exit 1
  fi
  if [[ ! -x "$BIN" ]]; then
    echo "install-pouchdb: $BIN is still missing after npm install" >&2
    exit 1
  fi
  touch "$MARKER"
fi
echo "$BIN"
