#!/usr/bin/env bash
# Installs and configures podman for the container tests (the containers module, ./stratus
# images): Debian's podman, runc, catatonit (the pods' pause process), podman-compose,
# debootstrap and a static busybox (for the stand-in base images), and the
# containers.conf that machines like this one need:
#   - runc, because crun refuses hybrid cgroup hierarchies;
#   - cgroupfs and a file events logger, because there is no systemd;
#   - lowered default ulimits, because raising rlimits is not permitted in this sandbox.
# Idempotent. Then proves that a container can run (a scratch image from a static busybox).
# Exit 0: podman works. Exit 1: it cannot be installed or cannot run a container here; the
# last line says why (the test command fails with it unless STRATUS_SKIP_CONTAINERS=1).
set -euo pipefail

CONF=/etc/containers/containers.conf
MARK="# written by stratus scripts/install-podman.sh"

say() { echo "install-podman: $*" >&2; }
die() { say "$*"; exit 1; }

SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || die "need root or sudo to install podman, runc and debootstrap"
  SUDO="sudo"
fi

missing=()
command -v podman >/dev/null 2>&1 || missing+=(podman)
command -v runc >/dev/null 2>&1 || missing+=(runc)
command -v debootstrap >/dev/null 2>&1 || [[ -x /usr/sbin/debootstrap ]] || missing+=(debootstrap)
command -v busybox >/dev/null 2>&1 || missing+=(busybox-static)
command -v catatonit >/dev/null 2>&1 || [[ -x /usr/libexec/podman/catatonit ]] || missing+=(catatonit)
command -v podman-compose >/dev/null 2>&1 || missing+=(podman-compose)
if [[ ${#missing[@]} -gt 0 ]]; then
  command -v apt-get >/dev/null 2>&1 || die "apt-get is missing: install ${missing[*]} by hand"
  LOG="$(mktemp -t install-podman.XXXXXX.log)"
  trap 'rm -f "$LOG"' EXIT
  say "installing ${missing[*]} (once, about a minute)"
  export DEBIAN_FRONTEND=noninteractive
  if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends \
          "${missing[@]}" uidmap slirp4netns fuse-overlayfs containernetworking-plugins; } >"$LOG" 2>&1; then
    cat "$LOG" >&2
    die "apt-get install ${missing[*]} failed"
  fi
fi

# Our containers.conf, unless somebody else wrote one (then it is theirs, and we say so).
if [[ ! -f "$CONF" ]] || grep -qF "$MARK" "$CONF"; then
  $SUDO mkdir -p "$(dirname "$CONF")"
  $SUDO tee "$CONF" >/dev/null <<EOF
$MARK
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
else
  say "note: $CONF exists and was not written by Stratus; leaving it as it is"
fi

# The proof: a container from a one-file image runs and answers.
if ! podman image exists localhost/stratus-probe:1 2>/dev/null; then
  PROBE="$(mktemp -d)"
  cp "$(command -v busybox)" "$PROBE/busybox"
  if ! tar -C "$PROBE" -c busybox | podman import --change 'ENTRYPOINT ["/busybox"]' - localhost/stratus-probe:1 >/dev/null 2>"$PROBE/err"; then
    cat "$PROBE/err" >&2; rm -rf "$PROBE"
    die "podman cannot import an image on this machine (storage driver?)"
  fi
  rm -rf "$PROBE"
fi
if ! out="$(timeout 60 podman run --rm --network host --read-only --user 10001 --cap-drop ALL \
             --security-opt no-new-privileges localhost/stratus-probe:1 echo ok 2>&1)" || [[ "$out" != *ok* ]]; then
  echo "$out" >&2
  die "podman is installed but cannot run a container on this machine (see above); set STRATUS_SKIP_CONTAINERS=1 to skip the container tests"
fi
say "podman $(podman version --format '{{.Client.Version}}' 2>/dev/null) with runc runs containers here"
