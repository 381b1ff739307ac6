#!/usr/bin/env bash
# The dependency lock and the banned versions (issue 15, finding 7); asks no advisory database.
#  1. Lock: what every module resolved in the last build (target/resolved-dependencies.txt, written
#     by the parent pom's resolved-dependencies execution) and the broker jars that cluster copies
#     from its list (cluster/target/kafka-lib) must equal deps.lock line for line. A new, removed
#     or moved dependency fails with the diff: review it, then `scripts/check-deps.sh update`.
#  2. Banned: every artifact of the lock goes through the parent pom's bannedDependencies rule
#     (the one list of known-vulnerable versions) in a scratch project. The modules' builds run
#     that rule already; this adds the broker jars, which are no module's dependencies.
#  3. Self-test: the same scratch check is fed the versions issue 15 found (lz4 1.8.0, beanutils
#     1.9.4, jackson-core 2.21.3) and must reject each.
# Reads the last build's output: run ./mvnw package (or verify) first; ./stratus test runs this
# after its verify. Prints one line per check and ends with "deps: N passed, M failed".
# Usage: scripts/check-deps.sh [update]
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1
LOCK="$ROOT/deps.lock"
SCRATCH="$ROOT/target/deps-check"
mkdir -p "$SCRATCH"

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "deps: PASS $1"; }
fail() { failed=$((failed + 1)); echo "deps: FAIL $1"; [[ -n "${2:-}" ]] && sed 's/^/    /' "$2"; return 0; }

# One line per artifact: "<module> group:artifact:type[:classifier]:version:scope".
resolved() {
  local m f
  for m in parent $(sed -n 's|.*<module>\(.*\)</module>.*|\1|p' pom.xml); do
    f="$m/target/resolved-dependencies.txt"
    [[ $m == parent ]] && f=target/resolved-dependencies.txt
    if [[ ! -f $f ]]; then
      echo "deps: $f is missing: build first (./mvnw -B -ntp package -Dmaven.test.skip=true)" >&2
      return 1
    fi
    sed -n "s/^   \([^ ]*\).*/$m \1/p" "$f"
  done
}

# The broker jars: groupId and artifactId from cluster's list, the version from the jar copied.
# A jar that no item names (left by an older list) or an item with no jar or two fails here,
# since the broker puts every jar of the directory on its classpath.
broker() {
  local dir=cluster/target/kafka-lib g a jars n=0 listed=""
  [[ -d $dir ]] || { echo "deps: $dir is missing: build first" >&2; return 1; }
  while read -r g a; do
    jars=$(cd "$dir" && ls -- "$a"-[0-9]*.jar 2>/dev/null)
    if [[ $(wc -w <<<"$jars") -ne 1 ]]; then
      echo "deps: $dir has '${jars:-no jar}' for $g:$a (clean it: ./mvnw -pl cluster clean package)" >&2
      return 1
    fi
    listed+=" $jars"
    n=$((n + 1))
    v="${jars#"$a"-}"
    echo "kafka-lib $g:$a:jar:${v%.jar}:runtime"
  done < <(grep -o '<artifactItem><groupId>[^<]*</groupId><artifactId>[^<]*</artifactId>' cluster/pom.xml \
             | sed 's|<artifactItem><groupId>\([^<]*\)</groupId><artifactId>\([^<]*\)</artifactId>|\1 \2|')
  if [[ $(ls "$dir" | wc -l) -ne $n ]]; then
    echo "deps: $dir holds jars that cluster's list does not name:" \
      "$(ls "$dir" | grep -vxF -f <(tr ' ' '\n' <<<"$listed" | sed '/^$/d'))" \
      "(clean it: ./mvnw -pl cluster clean package)" >&2
    return 1
  fi
}

# The scratch project: the parent pom's rules over the given coordinates, each without its own
# dependencies (the lock lists those already). Exit status 0 when none is banned.
banned_check() {
  local out="$1"; shift
  {
    echo '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
    echo '<parent><groupId>dev.stratus</groupId><artifactId>stratus-parent</artifactId><version>0.1.0</version>'
    echo '<relativePath>../../pom.xml</relativePath></parent>'
    echo '<artifactId>deps-check</artifactId><packaging>pom</packaging><dependencies>'
    local c g a t cl v
    for c in "$@"; do
      IFS=: read -r g a t cl v <<<"$c"
      [[ -z $v ]] && { v=$cl; cl=""; }
      echo "<dependency><groupId>$g</groupId><artifactId>$a</artifactId><type>$t</type>${cl:+<classifier>$cl</classifier>}<version>$v</version>"
      echo '<exclusions><exclusion><groupId>*</groupId><artifactId>*</artifactId></exclusion></exclusions></dependency>'
    done
    echo '</dependencies></project>'
  } >"$SCRATCH/pom.xml"
  ./mvnw -B -ntp -f "$SCRATCH/pom.xml" validate >"$out" 2>&1
}

now="$SCRATCH/resolved.lock"
{ resolved && broker; } >"$now.unsorted" || { echo "deps: 0 passed, 1 failed"; exit 1; }
LC_ALL=C sort -u "$now.unsorted" >"$now"

if [[ ${1:-} == update ]]; then
  cp "$now" "$LOCK"
  echo "deps: wrote $(wc -l <"$LOCK") lines to deps.lock; review 'git diff deps.lock' and commit it"
  exit 0
fi

if diff -u "$LOCK" "$now" >"$SCRATCH/lock.diff"; then
  pass "the build resolved what deps.lock holds ($(wc -l <"$LOCK") artifacts in modules and the broker)"
else
  fail "the build resolved other versions than deps.lock (- locked, + resolved); review, then scripts/check-deps.sh update" "$SCRATCH/lock.diff"
fi

# Coordinates without scope (the lock's last field), each once.
mapfile -t coords < <(awk '{print $2}' "$LOCK" | sed 's/:[^:]*$//' | LC_ALL=C sort -u)
if banned_check "$SCRATCH/banned.log" "${coords[@]}"; then
  pass "no artifact of deps.lock is banned (${#coords[@]} checked against the parent pom's bannedDependencies)"
else
  grep -E "banned via|Rule [0-9]" "$SCRATCH/banned.log" >"$SCRATCH/banned.short"
  fail "deps.lock holds a banned version (the parent pom's bannedDependencies says why)" "$SCRATCH/banned.short"
fi

# What the project had before issue 15: each must be named in the rule's answer.
before=(org.lz4:lz4-java:jar:1.8.0 commons-beanutils:commons-beanutils:jar:1.9.4 com.fasterxml.jackson.core:jackson-core:jar:2.21.3)
if banned_check "$SCRATCH/self-test.log" "${before[@]}"; then
  fail "self-test: ${before[*]} were not rejected" "$SCRATCH/self-test.log"
else
  missed=""
  for c in "${before[@]}"; do grep -q "$c" "$SCRATCH/self-test.log" || missed+=" $c"; done
  if [[ -z $missed ]]; then
    pass "self-test: ${before[*]} are rejected"
  else
    fail "self-test: not rejected by name:$missed" "$SCRATCH/self-test.log"
  fi
fi

echo "deps: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
