# Sourced by scripts/paved. Makes sure the machine parts Paved needs outside node_modules are
# there: mkdocs (TechDocs without Docker), Chromium (browser tests) and kubectl (sandbox fidelity
# tests). PostgreSQL is not one of them: tests run their own (scripts/lib/test-postgres.cjs).
# As root on Debian/Ubuntu they are installed from the distribution's packages; otherwise a
# missing part is named with the command that installs it on this system.

timings=()
timed() {
  local label=$1 start rc=0
  shift
  start=$(date +%s)
  "$@" || rc=$?
  timings+=("$label $(($(date +%s) - start))")
  return $rc
}

print_timings() {
  local entry
  log "wall time per step (s):"
  for entry in "${timings[@]}"; do
    printf '  %-14s %5s\n' ${entry} >&2
  done
}

# TechDocs builds docs with Debian's mkdocs + mkdocs-material: the techdocs-core plugin is only on
# PyPI, which these machines cannot reach, so app-config omits it.
mkdocs_works() {
  command -v mkdocs >/dev/null || return 1
  local dir
  dir=$(mktemp -d)
  mkdir -p "$dir/docs"
  printf 'site_name: probe\ntheme:\n  name: material\n  font: false\n' >"$dir/mkdocs.yml"
  echo '# probe' >"$dir/docs/index.md"
  (cd "$dir" && mkdocs build -q -d "$dir/site" >/dev/null 2>&1)
  local rc=$?
  rm -rf "$dir"
  return $rc
}

can_apt() { is_root && command -v apt-get >/dev/null; }

# How this system installs a part: $1 is the Debian package list, $2 Homebrew's.
install_hint() {
  if command -v apt-get >/dev/null; then
    echo "apt-get install $1 (as root)"
  elif command -v brew >/dev/null; then
    echo "brew install $2"
  else
    echo "your system's package manager (Debian names it: $1)"
  fi
}

ensure_mkdocs() {
  mkdocs_works && return 0
  if can_apt; then
    log "installing mkdocs and mkdocs-material from Debian's packages (TechDocs)"
    apt_install mkdocs mkdocs-material || true
  fi
  mkdocs_works && return 0
  log "TechDocs needs 'mkdocs' with the 'material' theme on PATH; install it with $(install_hint 'mkdocs mkdocs-material' 'mkdocs, then pip3 install mkdocs-material')"
  return 1
}

chromium_path() {
  local candidate
  for candidate in "${PAVED_CHROMIUM:-}" \
    "$(command -v chromium 2>/dev/null)" "$(command -v chromium-browser 2>/dev/null)" \
    "/Applications/Chromium.app/Contents/MacOS/Chromium"; do
    [ -n "$candidate" ] && [ -x "$candidate" ] && {
      echo "$candidate"
      return 0
    }
  done
  return 1
}

ensure_chromium() {
  chromium_path >/dev/null && return 0
  if can_apt; then
    log "installing Chromium from Debian's packages (browser tests; Playwright cannot download browsers here)"
    apt_install chromium || true
  fi
  chromium_path >/dev/null ||
    die "browser tests need Chromium: install it with $(install_hint chromium '--cask chromium'), or set PAVED_CHROMIUM to a Chromium binary"
}

# The sandbox's fidelity tests drive the Kubernetes stand-in with a real kubectl.
ensure_kubectl() {
  command -v kubectl >/dev/null && return 0
  if can_apt; then
    log "installing kubectl from Debian's packages (kubernetes-client)"
    apt_install kubernetes-client || true
  fi
  command -v kubectl >/dev/null ||
    die "sandbox tests need kubectl: install it with $(install_hint kubernetes-client kubectl), or put a kubectl on PATH"
}

# Starts the sandbox stand-ins (packages/sandbox) in the background of `start` and waits until
# they are seeded. Without them the portal still runs, just without live cluster or GitHub data.
start_sandbox() {
  mkdir -p .sandbox
  rm -f .sandbox/app-config.yaml
  log "starting the sandbox: Kubernetes clusters sandbox-dev and sandbox-prod, GitHub stand-in (log: .sandbox/sandbox.log)"
  yarn sandbox >.sandbox/sandbox.log 2>&1 &
  local pid=$!
  for _ in $(seq 1 120); do
    if [ -f .sandbox/app-config.yaml ]; then
      log "sandbox ready: KUBECONFIG=.sandbox/kubeconfig kubectl get applications -A"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  log "the sandbox did not start (see .sandbox/sandbox.log); the portal runs without its live data"
  kill "$pid" 2>/dev/null || true
  return 1
}

# Prints the URL to open once both the backend and the frontend dev server answer (runs in the
# background of `start`).
announce_when_ready() {
  local health=$1 url=$2
  for _ in $(seq 1 300); do
    if node -e '
      Promise.all(process.argv.slice(1).map(u => fetch(u).then(r => r.ok)))
        .then(ok => process.exit(ok.every(Boolean) ? 0 : 1), () => process.exit(1))
    ' "$health" "$url" 2>/dev/null; then
      log "Paved is ready: open $url (sign in as guest)"
      return 0
    fi
    sleep 2
  done
}
