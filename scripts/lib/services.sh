# Sourced by scripts/paved. Makes sure the machine parts Paved needs outside node_modules are
# there: mkdocs (TechDocs without Docker), Chromium (browser tests), kubectl (sandbox fidelity
# tests) and PostgreSQL (tests).
# As root they are installed from Debian's packages; otherwise a missing part is named clearly.

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

ensure_mkdocs() {
  mkdocs_works && return 0
  log "installing mkdocs and mkdocs-material from Debian's packages (TechDocs)"
  apt_install mkdocs mkdocs-material || true
  mkdocs_works && return 0
  log "TechDocs needs 'mkdocs' with the 'material' theme on PATH; install Debian's packages: apt-get install mkdocs mkdocs-material"
  return 1
}

chromium_path() {
  local candidate
  for candidate in "${PAVED_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
    [ -n "$candidate" ] && [ -x "$candidate" ] && {
      echo "$candidate"
      return 0
    }
  done
  return 1
}

ensure_chromium() {
  chromium_path >/dev/null && return 0
  log "installing Chromium from Debian's packages (browser tests; Playwright cannot download browsers here)"
  apt_install chromium || true
  chromium_path >/dev/null ||
    die "browser tests need Chromium: run 'apt-get install chromium' as root, or set PAVED_CHROMIUM to a Chromium binary"
}

# The sandbox's fidelity tests drive the Kubernetes stand-in with a real kubectl.
ensure_kubectl() {
  command -v kubectl >/dev/null && return 0
  log "installing kubectl from Debian's packages (kubernetes-client)"
  apt_install kubernetes-client || true
  command -v kubectl >/dev/null ||
    die "sandbox tests need kubectl: run 'apt-get install kubernetes-client' as root, or put a kubectl on PATH"
}

# The PostgreSQL that tests use. The default matches a local server with trust auth or one this
# script installed (password 'postgres').
export PAVED_TEST_POSTGRES_URL="${PAVED_TEST_POSTGRES_URL:-postgresql://postgres:postgres@127.0.0.1:5432/postgres}"

postgres_answers() {
  node -e '
    const { Client } = require("pg");
    const client = new Client({ connectionString: process.env.PAVED_TEST_POSTGRES_URL, connectionTimeoutMillis: 3000 });
    client.connect()
      .then(() => client.query("SELECT rolcreatedb OR rolsuper AS ok FROM pg_roles WHERE rolname = current_user"))
      .then(r => { if (!r.rows[0].ok) { console.error("role cannot create databases"); process.exit(2); } return client.end(); })
      .catch(e => { console.error(e.message); process.exit(1); });
  ' 2>/dev/null
}

start_debian_postgres() {
  command -v pg_ctlcluster >/dev/null || return 1
  local version
  for version in $(ls /etc/postgresql 2>/dev/null); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
  done
  for _ in $(seq 1 20); do
    postgres_answers && return 0
    sleep 0.5
  done
  return 1
}

ensure_postgres() {
  postgres_answers && return 0
  if is_root; then
    if ! start_debian_postgres; then
      log "no PostgreSQL at $PAVED_TEST_POSTGRES_URL: installing Debian's postgresql"
      apt_install postgresql || die "could not install PostgreSQL from Debian's packages"
      start_debian_postgres || true
      # Debian's fresh cluster wants a password over TCP; give postgres the one the default URL uses.
      runuser -u postgres -- psql -q -c "ALTER USER postgres PASSWORD 'postgres'" >/dev/null 2>&1 || true
    fi
  fi
  postgres_answers ||
    die "tests need a PostgreSQL whose role may create databases at $PAVED_TEST_POSTGRES_URL (set PAVED_TEST_POSTGRES_URL to use another); none answered"
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
