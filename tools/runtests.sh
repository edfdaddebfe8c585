#!/usr/bin/env bash
# Run the named test commands, one per argument as "name=command", print a line per test and
# the closing summary "N passed, N failed". Exit 1 if any failed. Output of a failing test is
# shown; every test's output goes to $BUILD/test-logs/NAME.log (BUILD defaults to build; the
# Makefile passes its own).
# TEST_JOBS tests run at once (default: the number of CPUs): the tests are single-threaded and
# independent (no fixed ports, files or names), so on the 2-core machine the long proofs run
# beside the co-simulation. A line is printed when its test ends, so with TEST_JOBS > 1 the
# order is the order of completion; TEST_JOBS=1 runs them one after another, in order.
set -u
logs="${BUILD:-build}/test-logs"
mkdir -p "$logs" || exit 1
jobs_max=${TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
if ! [[ "$jobs_max" =~ ^[1-9][0-9]*$ ]]; then
  echo "runtests: TEST_JOBS '$jobs_max' is not a positive whole number" >&2
  exit 2
fi
pass=0; fail=0; failed=(); running=0
declare -A job_name job_start

# report NAME RC START: the test's line, and its log's tail when it failed
report() {
  local name=$1 rc=$2 start=$3 log="$logs/$1.log"
  if [ "$rc" -eq 0 ]; then
    pass=$((pass + 1)); printf 'PASS  %-28s (%ss)\n' "$name" "$(( $(date +%s) - start ))"
  else
    fail=$((fail + 1)); failed+=("$name")
    printf 'FAIL  %-28s (%ss)  log: %s\n' "$name" "$(( $(date +%s) - start ))" "$log"
    tail -n 40 "$log" | sed 's/^/      | /'
  fi
}

# reap: wait for one running test to end and report it
reap() {
  local pid rc
  wait -n -p pid
  rc=$?
  report "${job_name[$pid]}" "$rc" "${job_start[$pid]}"
  unset "job_name[$pid]" "job_start[$pid]"
  running=$((running - 1))
}

for t in "$@"; do
  name=${t%%=*}; cmd=${t#*=}
  while [ "$running" -ge "$jobs_max" ]; do reap; done
  bash -c "$cmd" >"$logs/$name.log" 2>&1 </dev/null &
  job_name[$!]=$name; job_start[$!]=$(date +%s)
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do reap; done
[ "$fail" -eq 0 ] || printf 'failed: %s\n' "${failed[*]}"
printf '%d passed, %d failed\n' "$pass" "$fail"
[ "$fail" -eq 0 ]
