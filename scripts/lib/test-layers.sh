# Sourced by scripts/paved for `test`: every layer of the suite, with its wall time and counts.
# Each layer's output is kept in .test-output/<layer>.log; a failing layer prints its tail.

passed=0
failed=0
failed_layers=()
out_dir="$repo_root/.test-output"

# Adds up the counts a runner printed: Jest's "Tests: N passed, N failed" and node:test's
# "ℹ pass N" (spec reporter) or "# pass N" (TAP).
count_results() {
  local logfile=$1 p f
  p=$(grep -aE '^Tests:' "$logfile" | grep -oE '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
  f=$(grep -aE '^Tests:' "$logfile" | grep -oE '[0-9]+ failed' | awk '{s+=$1} END {print s+0}')
  p=$((p + $(grep -aE '^(ℹ|#) pass [0-9]+' "$logfile" | awk '{s+=$3} END {print s+0}')))
  f=$((f + $(grep -aE '^(ℹ|#) fail [0-9]+' "$logfile" | awk '{s+=$3} END {print s+0}')))
  passed=$((passed + p))
  failed=$((failed + f))
}

layer() {
  local name=$1 rc=0
  shift
  log "── $name: $*"
  timed "$name" "$@" >"$out_dir/$name.log" 2>&1 || rc=$?
  count_results "$out_dir/$name.log"
  if [ $rc -ne 0 ]; then
    failed_layers+=("$name")
    log "✗ $name failed (exit $rc); last lines of .test-output/$name.log:"
    tail -n 60 "$out_dir/$name.log" >&2
  else
    # ${timings[-1]} needs bash 4.2; macOS ships 3.2.
    log "✓ $name ($(echo "${timings[${#timings[@]} - 1]}" | awk '{print $2}') s)"
  fi
  return $rc
}

run_all_tests() {
  mkdir -p "$out_dir"
  local started
  started=$(date +%s)

  layer install install_dependencies || die "installing dependencies failed (see .test-output/install.log)"
  timed machine ensure_machine_parts
  timed postgres start_test_postgres

  layer tsc yarn tsc || true
  layer lint yarn lint:all || true
  layer unit yarn test --ci || true
  if layer build yarn build:all; then
    layer integration yarn workspace @paved/e2e-tests test:integration || true
    layer browser yarn workspace @paved/e2e-tests test:browser || true
  else
    failed_layers+=("integration (not run)" "browser (not run)")
  fi

  timings+=("total $(($(date +%s) - started))")
  print_timings
  if [ ${#failed_layers[@]} -gt 0 ]; then
    log "failed: ${failed_layers[*]}"
  fi
  echo "tests: $passed passed, $failed failed"
  [ ${#failed_layers[@]} -eq 0 ]
}

ensure_machine_parts() {
  ensure_mkdocs || die "TechDocs tests need mkdocs with the material theme (see above)"
  ensure_chromium
  ensure_kubectl
  PAVED_CHROMIUM=$(chromium_path)
  export PAVED_CHROMIUM
}

# One PostgreSQL for the unit, integration and browser layers: a private server the tests start
# and delete (scripts/lib/test-postgres.cjs), or PAVED_TEST_POSTGRES_URL's. It exports
# PAVED_TEST_POSTGRES_URL (integration tests) and the BACKSTAGE_TEST_DATABASE_POSTGRES<major>_
# CONNECTION_STRING that Backstage's TestDatabases reads (store tests). Stopped when this shell
# exits, also on failure or Ctrl-C.
test_postgres_pid=""
start_test_postgres() {
  local env_file="$out_dir/postgres.env"
  rm -f "$env_file"
  node "$repo_root/scripts/lib/test-postgres.cjs" serve "$env_file" >"$out_dir/postgres.log" 2>&1 &
  test_postgres_pid=$!
  trap stop_test_postgres EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  local waited=0
  while [ ! -f "$env_file" ]; do
    if ! kill -0 "$test_postgres_pid" 2>/dev/null || [ $waited -ge 120 ]; then
      cat "$out_dir/postgres.log" >&2
      die "no PostgreSQL for the tests (see above; PAVED_TEST_POSTGRES_URL selects an existing server)"
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  # shellcheck disable=SC1090
  . "$env_file"
  log "$(head -n 1 "$out_dir/postgres.log")"
}

stop_test_postgres() {
  [ -n "$test_postgres_pid" ] || return 0
  kill -TERM "$test_postgres_pid" 2>/dev/null || true
  wait "$test_postgres_pid" 2>/dev/null || true
  test_postgres_pid=""
  log "$(tail -n 1 "$out_dir/postgres.log")"
}
