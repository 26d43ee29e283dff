# Sourced by scripts/fuzz.sh and scripts/test.sh (not run on its own): the libFuzzer targets,
# their seeds, and one bounded run of each.

wiredesk_fuzz_targets=(fuzz_readers fuzz_dates fuzz_analyzer fuzz_query)

# Fills $1/{readers,dates,analyzer,query} with the seeds: every corpus file for the readers
# (the malformed ones included), the articles for the analyzer, fuzz/seeds/ for the others.
wiredesk_fuzz_seeds() {
  local seeds="$1"
  rm -rf "$seeds" && mkdir -p "$seeds"/{readers,dates,analyzer,query}
  find corpus -type f ! -name README.md -exec cp {} "$seeds/readers/" \;
  find corpus/intl corpus/wire -name '*.txt' -exec cp {} "$seeds/analyzer/" \;
  cp fuzz/seeds/dates/* "$seeds/dates/"
  cp fuzz/seeds/query/* "$seeds/query/"
}

# Runs one target, $2 in $1/bin, for $3 seconds on $1/seeds/<name>; its log is
# $1/fuzz-logs/<name>.log, and its exit status says whether it found something.
wiredesk_fuzz_one() {
  local build="$1" target="$2" seconds="$3" name="${2#fuzz_}"
  # Leak checking is off: ICU and Xapian keep process-wide caches that LeakSanitizer reports.
  # -timeout: one input running 30 s is a hang (libFuzzer's default would wait 20 minutes).
  ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 \
    "$build/bin/$target" -max_total_time="$seconds" -max_len=65536 -timeout=30 \
    -artifact_prefix="$build/crashes/$name-" "$build/seeds/$name" >"$build/fuzz-logs/$name.log" 2>&1
}

# Runs each target built in $1/bin for $2 seconds on fresh seeds in $1/seeds, as many at once as
# there are cores. A crash, a sanitizer report, a timeout or an out-of-memory input is saved in
# $1/crashes/ (add it to a regression test before fixing) and makes this return 1; each target's
# log is $1/fuzz-logs/.
wiredesk_fuzz_run() {
  local build="$1" seconds="$2" failed=0 target name log
  local -a running=() names=()
  wiredesk_fuzz_seeds "$build/seeds"
  rm -rf "$build/crashes" "$build/fuzz-logs" && mkdir -p "$build/crashes" "$build/fuzz-logs"
  local parallel
  parallel=$(nproc)
  echo "== fuzzing ${wiredesk_fuzz_targets[*]}: $seconds s each, $parallel at a time"
  for target in "${wiredesk_fuzz_targets[@]}"; do
    wiredesk_fuzz_one "$build" "$target" "$seconds" &
    running+=($!)
    names+=("${target#fuzz_}")
    if ((${#running[@]} >= parallel)) || [ "$target" = "${wiredesk_fuzz_targets[-1]}" ]; then
      for i in "${!running[@]}"; do
        name="${names[$i]}"
        log="$build/fuzz-logs/$name.log"
        echo "== fuzz_$name"
        if ! wait "${running[$i]}"; then
          failed=1
          tail -n 60 "$log"
        fi
        grep -E "^#[0-9]+.*DONE|ERROR|SUMMARY" "$log" || true
      done
      running=()
      names=()
    fi
  done
  if compgen -G "$build/crashes/*" >/dev/null; then
    echo "fuzzing found crashing inputs:"; ls -l "$build/crashes"
    failed=1
  fi
  if ((failed)); then
    echo "FUZZING FAILED (logs in $build/fuzz-logs/)"
    return 1
  fi
  echo "fuzzing: no crashes"
}
