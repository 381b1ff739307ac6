#!/usr/bin/env bash
# The whole Stratus test suite, as CI runs it: installs and starts what the tests need, then
# runs every module's tests with Maven. Usage: ./stratus test [extra Maven arguments]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Tests read the real MNIST files from ../shared/data/mnist and never download them.
DATA="${STRATUS_TEST_DATA:-$ROOT/../shared/data/mnist}"
for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
  if [[ ! -f "$DATA/$f" ]]; then
    echo "test: $DATA/$f is missing; the tests read the MNIST files from ../shared/data/mnist (or \$STRATUS_TEST_DATA)" >&2
    exit 1
  fi
done

# The browser test drives Debian's Chromium through chromedriver; the store and pipeline tests
# run a real CouchDB-API server (pouchdb-server, from npm).
"$ROOT/scripts/install-browser.sh"
POUCHDB="$("$ROOT/scripts/install-pouchdb.sh")"
"$ROOT/scripts/install-nginx.sh"

# The deployment files: render, schema, policy, Dockerfiles, Ansible, Vagrant (offline checks).
"$ROOT/scripts/check-deploy.sh"

# The container images: podman builds every image of deploy/docker and runs them (the
# containers module). A machine that cannot run containers fails here with the reason, unless
# STRATUS_SKIP_CONTAINERS=1 says to skip them; the last line then says they were skipped.
CONTAINERS=ran
if [[ "${STRATUS_SKIP_CONTAINERS:-0}" == 1 ]]; then
  CONTAINERS="SKIPPED (STRATUS_SKIP_CONTAINERS=1)"
elif ! "$ROOT/scripts/install-podman.sh"; then
  echo "test: podman cannot build or run containers on this machine (see above);" \
       "STRATUS_SKIP_CONTAINERS=1 ./stratus test runs everything else" >&2
  exit 1
fi

export OPT_OUT_TRACKING=true
export DJL_CACHE_DIR="${DJL_CACHE_DIR:-$HOME/.cache/stratus/djl}"

status=0
./mvnw -B -ntp verify -Dstratus.test.data="$(cd "$DATA" && pwd)" -Dstratus.pouchdb="$POUCHDB" \
  -Dstratus.containers.skip="$([[ $CONTAINERS == ran ]] && echo false || echo true)" "$@" || status=$?

# The dependency lock and the banned versions, from what that build resolved (offline).
maven=$status
DEPS="skipped (the build failed)"
if [[ $maven -eq 0 ]]; then
  if "$ROOT/scripts/check-deps.sh"; then DEPS=passed; else DEPS=FAILED; status=1; fi
fi
echo "test: Maven $([[ $maven -eq 0 ]] && echo passed || echo "FAILED ($maven)"); dependency check $DEPS; container tests $CONTAINERS"
exit "$status"
