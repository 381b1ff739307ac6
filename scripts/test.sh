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

export OPT_OUT_TRACKING=true
export DJL_CACHE_DIR="${DJL_CACHE_DIR:-$HOME/.cache/stratus/djl}"

exec ./mvnw -B -ntp verify -Dstratus.test.data="$(cd "$DATA" && pwd)" -Dstratus.pouchdb="$POUCHDB" "$@"
