#!/usr/bin/env bash
# Run the named test commands, one per argument as "name=command", print a line per test and
# the closing summary "N passed, N failed". Exit 1 if any failed. Output of a failing test is
# shown; every test's output goes to $BUILD/test-logs/NAME.log (BUILD defaults to build; the
# Makefile passes its own).
set -u
logs="${BUILD:-build}/test-logs"
mkdir -p "$logs" || exit 1
pass=0; fail=0; failed=()
for t in "$@"; do
  name=${t%%=*}; cmd=${t#*=}
  log="$logs/$name.log"
  start=$(date +%s)
  if bash -c "$cmd" >"$log" 2>&1; then
    pass=$((pass + 1)); printf 'PASS  %-28s (%ss)\n' "$name" "$(( $(date +%s) - start ))"
  else
    fail=$((fail + 1)); failed+=("$name")
    printf 'FAIL  %-28s (%ss)  log: %s\n' "$name" "$(( $(date +%s) - start ))" "$log"
    tail -n 40 "$log" | sed 's/^/      | /'
  fi
done
[ "$fail" -eq 0 ] || printf 'failed: %s\n' "${failed[*]}"
printf '%d passed, %d failed\n' "$pass" "$fail"
[ "$fail" -eq 0 ]
