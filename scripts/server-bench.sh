#!/usr/bin/env bash
# Runs one of the server module's benchmark mains (server/src/test/.../bench) against an embedded
# server, with the server and its test classes built first and MNIST from $STRATUS_DATA (default
# ../shared/data/mnist, else ~/.cache/stratus/mnist). Usage: scripts/server-bench.sh CLASS [ARGS...]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [[ -z "${STRATUS_DATA:-}" && -d "$ROOT/../shared/data/mnist" ]]; then
  export STRATUS_DATA="$ROOT/../shared/data/mnist"
fi
main="$1"
shift
./mvnw -q -B -pl server -am package -DskipTests \
  dependency:copy-dependencies -DincludeScope=test -DoutputDirectory=target/jmh-lib >&2
STRATUS_ACCESS_LOG=OFF exec java -cp "server/target/test-classes:server/target/classes:server/target/jmh-lib/*" \
  "dev.stratus.server.bench.$main" "$@"
