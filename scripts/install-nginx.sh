#!/usr/bin/env bash
# Installs Debian's nginx-light for the local distributed demo (./stratus up --distributed) and
# the load-balancer test in the cluster module (LocalNginx). Idempotent: does nothing when an
# nginx binary is already on the PATH or in /usr/sbin. Needs root (or sudo) and apt.
set -euo pipefail

if command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]]; then
  exit 0
fi

SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-nginx: need root or sudo to install nginx-light" >&2
    exit 1
  fi
fi

LOG="$(mktemp -t install-nginx.XXXXXX.log)"
POLICY=/usr/sbin/policy-rc.d
OWN_POLICY=""
cleanup() {
  rm -f "$LOG"
  if [[ -n "$OWN_POLICY" ]]; then $SUDO rm -f "$POLICY"; fi
}
trap cleanup EXIT

# The package's post-install script would start a system-wide nginx on port 80 of every
# interface. Stratus only runs its own nginx under a private prefix on 127.0.0.1, so forbid
# service starts for the duration of the install (exit 101 = "action not allowed").
if [[ ! -e "$POLICY" ]]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
  $SUDO chmod 755 "$POLICY"
  OWN_POLICY=1
fi

echo "install-nginx: installing nginx-light (once)" >&2
export DEBIAN_FRONTEND=noninteractive
# apt and debconf are chatty; keep their output unless something fails.
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq nginx-light; } >"$LOG" 2>&1; then
  cat "$LOG" >&2
  echo "install-nginx: apt-get failed" >&2
  exit 1
fi

if ! command -v nginx >/dev/null 2>&1 && [[ ! -x /usr/sbin/nginx ]]; then
  echo "install-nginx: nginx is still missing after apt-get install" >&2
  exit 1
fi
