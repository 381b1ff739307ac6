#!/usr/bin/env bash
# Offline checks of the deployment (deploy/, docs/deploy.md): nothing here builds an image or
# talks to a cluster. Renders every Kustomize overlay (and the overlay the Ansible playbook
# generates), validates every object against the Kubernetes schemas, checks cross-references
# and Stratus' deployment policy, checks the Dockerfiles against what Maven builds and what the
# Java entry points accept, syntax-checks (and lints) the playbook, checks the Vagrantfile
# against it, and scans for IP literals. Each check is also fed broken fixtures
# (deploy/tests/) and must reject them.
#
# Installs what it needs when missing (as root: ansible, ansible-lint and ruby from Debian;
# the npm packages kubernetes-models and yaml into ${STRATUS_CACHE:-~/.cache/stratus}/deploy-check).
# Prints one line per check and ends with "deploy: N passed, M failed"; exits 1 on any failure.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1
CACHE="${STRATUS_CACHE:-$HOME/.cache/stratus}/deploy-check"
KUBERNETES_MODELS=5.1.0
YAML_JS=2.9.1
mkdir -p "$CACHE"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "deploy: PASS $1"; }
fail() { failed=$((failed + 1)); echo "deploy: FAIL $1"; [[ -n "${2:-}" ]] && sed 's/^/    /' "$2"; return 0; }
summary() { echo "deploy: $passed passed, $failed failed"; [[ $failed -eq 0 ]]; }

# --- what the checks need --------------------------------------------------------------------
# One run at a time: two runs would install into the same places.
exec 9>"$CACHE/.lock"
flock 9

apt_install() {  # PACKAGE...: quietly, refreshing the package lists first
  [[ $(id -u) -eq 0 ]] || { echo "deploy: need root to install $*" >&2; return 1; }
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; } >"$WORK/apt.log" 2>&1
}
missing=()
command -v ansible-playbook >/dev/null || missing+=(ansible)
command -v ruby >/dev/null || missing+=(ruby)
if [[ ${#missing[@]} -gt 0 ]] && ! apt_install "${missing[@]}"; then
  fail "install ${missing[*]}" "$WORK/apt.log"
  summary; exit 1
fi
if ! command -v ansible-lint >/dev/null && ! timeout 300 bash -c "$(declare -f apt_install); WORK=$WORK apt_install ansible-lint"; then
  fail "install ansible-lint (Debian's package, needed by the lint check)" "$WORK/apt.log"
  summary; exit 1
fi
installed() { [[ "$(node -p "require('$CACHE/node_modules/$1/package.json').version" 2>/dev/null)" == "$2" ]]; }
if ! installed kubernetes-models "$KUBERNETES_MODELS" || ! installed yaml "$YAML_JS"; then
  if ! npm install --prefix "$CACHE" --no-audit --no-fund --silent \
       "kubernetes-models@$KUBERNETES_MODELS" "yaml@$YAML_JS" >"$WORK/npm.log" 2>&1; then
    fail "install kubernetes-models@$KUBERNETES_MODELS yaml@$YAML_JS" "$WORK/npm.log"
    summary; exit 1
  fi
fi
export DEPLOY_CHECK_MODULES="$CACHE/node_modules"
if ! command -v kubectl >/dev/null; then
  fail "kubectl (with Kustomize) is needed to render the overlays and is not installed"
  summary; exit 1
fi

# run NAME COMMAND...: one check; its last output line is the detail, all of it on failure.
run() {
  local name="$1"; shift
  if "$@" >"$WORK/out" 2>&1; then
    pass "$name: $(tail -n 1 "$WORK/out" | sed -E 's/^[a-z-]+: //')"
  else
    fail "$name" "$WORK/out"
  fi
}
T=deploy/tests

# --- render ----------------------------------------------------------------------------------
RENDERED=()
for overlay in dev prod; do
  if kubectl kustomize "deploy/k8s/overlays/$overlay" >"$WORK/$overlay.yaml" 2>"$WORK/err"; then
    RENDERED+=("$WORK/$overlay.yaml")
    pass "render overlays/$overlay: $(grep -c '^kind:' "$WORK/$overlay.yaml") objects"
  else
    fail "render overlays/$overlay" "$WORK/err"
  fi
done

# The overlay the playbook writes on a server (role stratus, tag render), here on this
# machine with a registry that has a port and a host name; run twice, the second must change
# nothing.
site_overlay() {
  local inventory="$WORK/inventory.ini" recap
  local python=/usr/bin/python3
  [[ -x $python ]] || python="$(command -v python3)"
  printf '[k3s_server]\nlocalhost ansible_connection=local ansible_python_interpreter=%s\n' "$python" >"$inventory"
  for attempt in first second; do
    ANSIBLE_GATHERING=explicit ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_NOCOLOR=1 \
      ANSIBLE_CONFIG=deploy/ansible/ansible.cfg \
      ansible-playbook -i "$inventory" deploy/ansible/site.yml --tags render \
        -e ansible_become=false -e "stratus_root=$WORK/site-root" -e "stratus_k8s_dir=$ROOT/deploy/k8s" \
        -e stratus_overlay=prod -e stratus_host=stratus.example.test \
        -e stratus_image_registry=registry.example.test:5000/stratus >"$WORK/ansible-$attempt.log" 2>&1 \
      || { cat "$WORK/ansible-$attempt.log"; return 1; }
  done
  recap="$(grep -E '^localhost +:' "$WORK/ansible-second.log")"
  [[ "$recap" == *"changed=0"* ]] || { echo "the second run changed something: $recap"; cat "$WORK/ansible-second.log"; return 1; }
  kubectl kustomize "$WORK/site-root/site" >"$WORK/site.yaml" || return 1
  if ! grep -q 'host: stratus.example.test' "$WORK/site.yaml" \
     || ! grep -q 'image: registry.example.test:5000/stratus/stratus-server:0.1.0' "$WORK/site.yaml"; then
    echo "the site overlay did not set the host name and the registry"; return 1
  fi
  echo "ansible site overlay (prod): $(grep -c '^kind:' "$WORK/site.yaml") objects; second run: changed=0"
}
if site_overlay >"$WORK/out" 2>&1; then
  RENDERED+=("$WORK/site.yaml")
  pass "render $(tail -n 1 "$WORK/out")"
else
  fail "render the Ansible site overlay" "$WORK/out"
fi

# --- the rendered manifests ------------------------------------------------------------------
for file in "${RENDERED[@]}"; do
  label="$(basename "$file" .yaml)"
  run "schema $label" node $T/k8s-schema.mjs "$file"
  run "references $label" node $T/k8s-references.mjs deploy/k8s/deploy-time-secrets.txt "$file"
  run "policy $label" node $T/k8s-policy.mjs "$file"
done
TOOLS=deploy/k8s/tools/model-export.yaml
run "schema $TOOLS" node $T/k8s-schema.mjs $TOOLS
run "references $TOOLS (with dev)" node $T/k8s-references.mjs deploy/k8s/deploy-time-secrets.txt "$WORK/dev.yaml" $TOOLS
run "policy $TOOLS (with dev)" node $T/k8s-policy.mjs "$WORK/dev.yaml" $TOOLS
run "dockerfiles and entry points" node $T/docker-artifacts.mjs . \
  deploy/docker/*.Dockerfile -- "${RENDERED[@]}"

# --- Ansible, Vagrant, sources ---------------------------------------------------------------
syntax_check() {
  printf '[k3s_server]\nserver.example.invalid\n[k3s_agents]\nagent.example.invalid\n[k3s_cluster:children]\nk3s_server\nk3s_agents\n' >"$WORK/syntax.ini"
  ANSIBLE_CONFIG=deploy/ansible/ansible.cfg ansible-playbook -i "$WORK/syntax.ini" --syntax-check "$@"
}
run "ansible-playbook --syntax-check" syntax_check deploy/ansible/site.yml
# ansible-lint's own status decides (pipefail); its WARNING lines are left out of the detail.
ansible_lint() {  # DIR PLAYBOOK
  (cd "$1" && set -o pipefail && ansible-lint --offline --nocolor -p "$2" 2>&1 | { grep -v "^WARNING" || true; } | tail -n 5)
}
run "ansible-lint (production profile)" ansible_lint deploy/ansible site.yml
vagrant_check() { ruby -c deploy/vagrant/Vagrantfile && ruby $T/vagrant-check.rb deploy/vagrant/Vagrantfile; }
run "Vagrantfile" vagrant_check
# The compose stack is one host's loopback by design (deploy/compose.yaml binds 127.0.0.1): not scanned.
mapfile -t SOURCES < <(git ls-files -co --exclude-standard deploy docs/deploy.md | grep -v -e '^deploy/tests/' -e '^deploy/compose')
run "no IP literals in deploy/ and docs/deploy.md" node $T/ip-scan.mjs "${SOURCES[@]}"

# --- each check rejects what it must ---------------------------------------------------------
# expect_rejected NAME PATTERN COMMAND...: the command must fail and print PATTERN (a crash of
# the checker itself is not a rejection).
expect_rejected() {
  local name="$1" pattern="$2"; shift 2
  if "$@" >"$WORK/self" 2>&1; then
    echo "$name: accepted"
  elif ! grep -qE "$pattern" "$WORK/self"; then
    echo "$name: failed without reporting /$pattern/:"; sed 's/^/  /' "$WORK/self"
  fi
}
self_test() {  # LABEL, and on stdin one "fixture|pattern|command" line per broken fixture
  local label="$1" problems="$WORK/problems" count=0
  : >"$problems"
  while IFS='|' read -r name pattern command; do
    count=$((count + 1))
    eval "expect_rejected \"\$name\" \"\$pattern\" $command" >>"$problems"
  done
  if [[ -s "$problems" ]]; then
    fail "self-test $label" "$problems"
  else
    pass "self-test $label: $count broken fixtures rejected, each for its own reason"
  fi
}

# A mutant: a copy of a real file with one sed expression applied. A mutation that no longer
# changes the file means the fixture went stale, which fails the self-test too.
mutant() {  # SOURCE-DIR TARGET-DIR FILE SED-EXPRESSION
  mkdir -p "$2" && cp -r "$1"/. "$2"/ && sed -i "$4" "$2/$3" && ! cmp -s "$1/$3" "$2/$3"
}
stale() { echo "stale fixture: the mutation no longer changes $1"; return 1; }

run "self-test policy accepts $T/good.yaml" node $T/k8s-policy.mjs $T/good.yaml
self_test "policy: $T/bad/" < <(
  for f in "$T"/bad/*.yaml; do
    rule="$(basename "$f" .yaml)"; rule="${rule%%--*}"
    echo "$(basename "$f")|^policy: \\[$rule\\]|node $T/k8s-policy.mjs $T/baseline.yaml $f"
  done)

run "self-test schema accepts $T/good.yaml" node $T/k8s-schema.mjs $T/good.yaml
self_test "schema: $T/schema-bad/" < <(
  for f in "$T"/schema-bad/*.yaml; do
    echo "$(basename "$f")|^schema: .*[1-9][0-9]* problems$|node $T/k8s-schema.mjs $f"
  done)

run "self-test references accept $T/good.yaml" node $T/k8s-references.mjs deploy/k8s/deploy-time-secrets.txt $T/good.yaml
self_test "references: $T/references-bad/" < <(
  for f in "$T"/references-bad/*.yaml; do
    echo "$(basename "$f")|^references: .*[1-9][0-9]* problems$|node $T/k8s-references.mjs deploy/k8s/deploy-time-secrets.txt $f"
  done)

self_test "dockerfiles: $T/docker-mutations.txt, $T/docker-bad-manifests/" < <(
  grep -v '^#' $T/docker-mutations.txt | while IFS='|' read -r name file expression _; do
    dir="$WORK/docker-mutants/$name"
    if mutant deploy/docker "$dir" "$file" "$expression"; then
      echo "$name|^docker: .*[1-9][0-9]* problems$|node $T/docker-artifacts.mjs . $dir/${file%.dockerignore}"
    else
      echo "$name|^never$|stale deploy/docker/$file"
    fi
  done
  for f in "$T"/docker-bad-manifests/*.yaml; do
    echo "$(basename "$f")|^docker: .*[1-9][0-9]* problems$|node $T/docker-artifacts.mjs . deploy/docker/server.Dockerfile deploy/docker/trainer.Dockerfile -- $f"
  done)

self_test "ansible syntax: $T/ansible-bad/" < <(
  for f in "$T"/ansible-bad/*.yml; do
    echo "$(basename "$f")|ERROR|syntax_check $f"
  done)

self_test "ansible-lint: $T/ansible-lint-bad/" < <(
  for f in "$T"/ansible-lint-bad/*.yml; do
    echo "$(basename "$f")|$(basename "$f" .yml)|ansible_lint $T/ansible-lint-bad $(basename "$f")"
  done)

self_test "Vagrantfile: $T/vagrant-mutations.txt" < <(
  grep -v '^#' $T/vagrant-mutations.txt | while IFS='|' read -r name expression _; do
    dir="$WORK/vagrant-mutants/$name"
    if mutant deploy/vagrant "$dir" Vagrantfile "$expression"; then
      echo "$name|^vagrant: .*[1-9][0-9]* problems$|ruby $T/vagrant-check.rb $dir/Vagrantfile deploy/vagrant"
    else
      echo "$name|^never$|stale deploy/vagrant/Vagrantfile"
    fi
  done)

self_test "IP scan: $T/bad/ip-literal--*" < <(
  for f in "$T"/bad/ip-literal--*.yaml; do
    echo "$(basename "$f")|[1-9][0-9]* IP literals$|node $T/ip-scan.mjs $f"
  done)

summary
