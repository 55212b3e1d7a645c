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
    log "✓ $name ($(tail -n 1 <<<"${timings[-1]}" | awk '{print $2}') s)"
  fi
  return $rc
}

run_all_tests() {
  mkdir -p "$out_dir"
  local started
  started=$(date +%s)

  layer install install_dependencies || die "installing dependencies failed (see .test-output/install.log)"
  timed machine ensure_machine_parts

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
  ensure_postgres
  PAVED_CHROMIUM=$(chromium_path)
  export PAVED_CHROMIUM
  # Store tests use Backstage's TestDatabases, which runs PostgreSQL cases only when this is set.
  export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="${BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING:-$PAVED_TEST_POSTGRES_URL}"
}
