#!/usr/bin/env bash
# Installs Debian's Chromium and its matching chromedriver for the browser test (BrowserTest).
# Idempotent: does nothing when both are already present. Needs root (or sudo) and apt.
set -euo pipefail

if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
  exit 0
fi

SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-browser: need root or sudo to install chromium and chromium-driver" >&2
    exit 1
  fi
fi

LOG="$(mktemp -t install-browser.XXXXXX.log)"
trap 'rm -f "$LOG"' EXIT

echo "install-browser: installing chromium and chromium-driver (about a minute, once)" >&2
export DEBIAN_FRONTEND=noninteractive
# apt and debconf are chatty; keep their output unless something fails.
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium chromium-driver; } >"$LOG" 2>&1; then
  cat "$LOG" >&2
  echo "install-browser: apt-get failed" >&2
  exit 1
fi

for bin in /usr/bin/chromium /usr/bin/chromedriver; do
  if [[ ! -x "$bin" ]]; then
    echo "install-browser: $bin is still missing after apt-get install" >&2
    exit 1
  fi
done
