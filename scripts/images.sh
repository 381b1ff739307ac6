#!/usr/bin/env bash
# ./stratus images build [--local-bases] [NAME...] | list | bases
#
# Builds the container images in deploy/docker with podman (or docker) from jars that ./mvnw
# built on this machine, as CI pipelines do: the Dockerfiles COPY server/target, training/target
# and cluster/target/kafka-lib, they do not run Maven themselves.
#
#   build           every image (or the NAMEs given: server model trainer kafka couchdb), a
#                   progress line per image, then its tag, size and build time
#   --local-bases   build FROM stand-in bases made here from Debian packages (see bases)
#                   instead of the public images the Dockerfiles name by default
#   bases           only the stand-ins: a debootstrap'd Debian minbase image, and from it a JRE,
#                   a busybox, a Node.js and an nginx base; cached, rebuilt when their recipe
#                   in deploy/docker/standins changes
#   list            the Stratus images present, with tag, size and age
#
# Environment: STRATUS_ENGINE (podman|docker; default podman when present), STRATUS_CACHE.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DOCKER_DIR=deploy/docker
STANDINS=$DOCKER_DIR/standins
CACHE="${STRATUS_CACHE:-$HOME/.cache/stratus}"
ENGINE="${STRATUS_ENGINE:-$(command -v podman >/dev/null 2>&1 && echo podman || echo docker)}"
LOGS="$ROOT/target/images"
SERVER_VERSION=0.1.0
KAFKA_VERSION=4.1.1
POUCHDB_VERSION=4.2.0

say() { echo "images: $*" >&2; }
die() { say "$*"; exit 1; }

command -v "$ENGINE" >/dev/null 2>&1 || die "$ENGINE is not installed (scripts/install-podman.sh installs podman)"
mkdir -p "$LOGS"

model_version() {
  sed -n 's/^ *"version" *: *"\([^"]*\)".*/\1/p' models/default/model-card.json | head -n 1
}

# --- stand-in bases ----------------------------------------------------------------------------
DEBIAN_BASE=stratus-standin-debian:bookworm
declare -A STANDIN_TAG=([jre]=stratus-standin-jre:17 [busybox]=stratus-standin-busybox:1.37
                        [node]=stratus-standin-node:20 [nginx]=stratus-standin-nginx:1.27)

recipe_of() { sha256sum "$1" | cut -c1-16; }
has_recipe() {  # IMAGE RECIPE: the image exists and was built from this recipe
  [[ "$($ENGINE image inspect --format '{{index .Labels "dev.stratus.recipe"}}' "$1" 2>/dev/null)" == "$2" ]]
}

debian_mirror() {
  local sources=/etc/apt/sources.list.d/debian.sources
  if [[ -f $sources ]]; then
    sed -n 's/^URIs: *\([^ ]*\).*/\1/p' "$sources" | grep -v security | head -n 1
  else
    sed -n 's/^deb \([^ ]*\) .*/\1/p' /etc/apt/sources.list | head -n 1
  fi
}

build_debian() {
  local recipe; recipe="$(echo "minbase bookworm $(debian_mirror)" | sha256sum | cut -c1-16)"
  has_recipe "$DEBIAN_BASE" "$recipe" && return
  command -v debootstrap >/dev/null 2>&1 || [[ -x /usr/sbin/debootstrap ]] \
    || die "debootstrap is missing (scripts/install-podman.sh installs it)"
  local dir="$CACHE/standins/debian-rootfs" started=$SECONDS
  say "base $DEBIAN_BASE: debootstrap --variant=minbase bookworm (once, ~1 min)"
  rm -rf "$dir"; mkdir -p "$dir"
  if ! PATH="$PATH:/usr/sbin" debootstrap --variant=minbase bookworm "$dir" "$(debian_mirror)" \
        >"$LOGS/debian.log" 2>&1; then
    tail -n 20 "$LOGS/debian.log" >&2; die "debootstrap failed; log: $LOGS/debian.log"
  fi
  # apt inside the image uses the same mirror as this machine.
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    rm -f "$dir/etc/apt/sources.list"
    cp /etc/apt/sources.list.d/debian.sources "$dir/etc/apt/sources.list.d/"
  fi
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
  tar -C "$dir" -c . | $ENGINE import --change "LABEL dev.stratus.recipe=$recipe" \
      --change 'CMD ["/bin/bash"]' - "$DEBIAN_BASE" >/dev/null
  rm -rf "$dir"
  say "base $DEBIAN_BASE: $(size_of "$DEBIAN_BASE") in $((SECONDS - started)) s"
}

build_standin() {  # NAME
  local file="$STANDINS/$1.Containerfile" tag="${STANDIN_TAG[$1]}" recipe started=$SECONDS
  recipe="$(recipe_of "$file")"
  has_recipe "$tag" "$recipe" && return
  say "base $tag: building from $file"
  if ! $ENGINE build --network host --pull=never -f "$file" --build-arg "DEBIAN=$DEBIAN_BASE" \
        --label "dev.stratus.recipe=$recipe" -t "$tag" "$STANDINS" >"$LOGS/standin-$1.log" 2>&1; then
    tail -n 20 "$LOGS/standin-$1.log" >&2; die "base $tag failed; log: $LOGS/standin-$1.log"
  fi
  say "base $tag: $(size_of "$tag") in $((SECONDS - started)) s"
}

build_bases() {
  build_debian
  local name; for name in jre busybox node nginx; do build_standin "$name"; done
}

# --- the images --------------------------------------------------------------------------------
size_of() { $ENGINE image inspect --format '{{.Size}}' "$1" | awk '{ printf "%.1f MB", $1 / 1e6 }'; }

need() {  # PATH HINT: a build input that must exist
  [[ -e "$1" ]] || die "$1 is missing: $2"
}

# IMAGE NAME -> "TAG|DOCKERFILE|CONTEXT|BASE ARG=STAND-IN ..."
image_spec() {
  case "$1" in
    server)  echo "stratus-server:$SERVER_VERSION|server.Dockerfile|.|JRE_BASE=jre" ;;
    trainer) echo "stratus-trainer:$SERVER_VERSION|trainer.Dockerfile|.|JRE_BASE=jre" ;;
    model)   echo "stratus-model:$(model_version)|model.Dockerfile|models/default|BUSYBOX_BASE=busybox" ;;
    kafka)   echo "stratus-kafka:$KAFKA_VERSION|kafka.Dockerfile|.|JRE_BASE=jre" ;;
    couchdb) echo "stratus-couchdb-standin:$POUCHDB_VERSION|couchdb-standin.Dockerfile|$CACHE/pouchdb|NODE_BASE=node" ;;
    *) die "unknown image '$1' (server model trainer kafka couchdb)" ;;
  esac
}

check_inputs() {  # NAME: what the Dockerfile copies is there
  case "$1" in
    server)  need server/target/stratus-server-$SERVER_VERSION.jar "run ./mvnw -pl server -am package -Dmaven.test.skip=true"
             need server/target/lib "run ./mvnw -pl server -am package -Dmaven.test.skip=true" ;;
    trainer) need training/target/stratus-training-$SERVER_VERSION.jar "run ./mvnw -pl training -am package -Dmaven.test.skip=true"
             need training/target/lib "run ./mvnw -pl training -am package -Dmaven.test.skip=true" ;;
    model)   need models/default/model.onnx "the shipped model"; [[ -n "$(model_version)" ]] || die "models/default/model-card.json has no version" ;;
    kafka)   need cluster/target/kafka-lib "run ./mvnw -pl cluster -am package -Dmaven.test.skip=true" ;;
    couchdb) need "$CACHE/pouchdb/node_modules/.bin/pouchdb-server" "run scripts/install-pouchdb.sh" ;;
  esac
}

build_image() {  # INDEX TOTAL NAME
  local index=$1 total=$2 name=$3 spec tag file context bases started=$SECONDS
  spec="$(image_spec "$name")"
  IFS='|' read -r tag file context bases <<<"$spec"
  check_inputs "$name"
  local args=(--network host -f "$DOCKER_DIR/$file" -t "$tag")
  [[ -f "$DOCKER_DIR/$file.dockerignore" ]] && args+=(--ignorefile "$DOCKER_DIR/$file.dockerignore")
  if [[ $LOCAL_BASES -eq 1 ]]; then
    local arg="${bases%%=*}" standin="${bases#*=}"
    args+=(--pull=never --build-arg "$arg=${STANDIN_TAG[$standin]}")
  fi
  say "[$index/$total] $tag: building $DOCKER_DIR/$file"
  if ! $ENGINE build "${args[@]}" "$context" >"$LOGS/$name.log" 2>&1; then
    tail -n 25 "$LOGS/$name.log" | sed 's/^/    /' >&2
    die "[$index/$total] image $tag ($DOCKER_DIR/$file) failed to build; log: $LOGS/$name.log"
  fi
  printf '%-46s %10s %6d s\n' "$tag" "$(size_of "$tag")" "$((SECONDS - started))"
}

build_all() {
  LOCAL_BASES=0
  local names=()
  for arg in "$@"; do
    case "$arg" in
      --local-bases) LOCAL_BASES=1 ;;
      -*) die "unknown option $arg" ;;
      *) names+=("$arg") ;;
    esac
  done
  [[ ${#names[@]} -gt 0 ]] || names=(server model trainer kafka couchdb)
  [[ $LOCAL_BASES -eq 1 ]] && build_bases
  printf '%-46s %10s %8s\n' IMAGE SIZE BUILD
  local i=0; for name in "${names[@]}"; do i=$((i + 1)); build_image "$i" "${#names[@]}" "$name"; done
}

case "${1:-}" in
  build) shift; build_all "$@" ;;
  bases) build_bases ;;
  list)  $ENGINE images --filter reference='*stratus-*' --format '{{.Repository}}:{{.Tag}}\t{{.Size}}\t{{.CreatedSince}}' ;;
  *) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
