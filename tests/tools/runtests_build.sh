#!/usr/bin/env bash
# runtests_build.sh - the test runner honours BUILD (defect 14 of issue 12: tools/runtests.sh
# wrote its logs to build/test-logs whatever BUILD was). Run from the repository root:
#   1. tools/runtests.sh with BUILD=DIR: a passing and a failing command; their logs are in
#      DIR/test-logs (with their output), the failure's "log:" line names that file, the
#      summary is "1 passed, 1 failed", exit status 1, and nothing lands in build/test-logs;
#   2. `make test BUILD=DIR` with one probe test: its log is in DIR/test-logs;
#   3. TEST_JOBS: with 2, two tests run at once (the first waits, at most 20 s, for a file the
#      second creates); with 1 they run in order; a bad value is refused, naming it.
set -u
fail=0
check() { # check CONDITION-STATUS MESSAGE
  if [ "$1" -ne 0 ]; then echo "FAIL: $2"; fail=1; else echo "ok:   $2"; fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
probe="runtests-build-probe-$$"

out=$(BUILD="$tmp/b1" tools/runtests.sh "$probe-ok=echo probe-ok-output" \
      "$probe-bad=echo probe-bad-output; false")
rc=$?
check $(( rc != 1 )) "runtests.sh exits 1 with one failure (got $rc)"
grep -qx '1 passed, 1 failed' <<<"$out"; check $? "summary line '1 passed, 1 failed'"
grep -qx 'probe-ok-output' "$tmp/b1/test-logs/$probe-ok.log" 2>/dev/null
check $? "the passing test's log is \$BUILD/test-logs/$probe-ok.log"
grep -qx 'probe-bad-output' "$tmp/b1/test-logs/$probe-bad.log" 2>/dev/null
check $? "the failing test's log is \$BUILD/test-logs/$probe-bad.log"
grep -q "log: $tmp/b1/test-logs/$probe-bad.log" <<<"$out"
check $? "the FAIL line names the log under \$BUILD"
[ ! -e "build/test-logs/$probe-ok.log" ] && [ ! -e "build/test-logs/$probe-bad.log" ]
check $? "nothing written to build/test-logs"
rm -f "build/test-logs/$probe-ok.log" "build/test-logs/$probe-bad.log"

# The Makefile passes its BUILD on (a clean environment: no MAKEFLAGS of a calling make).
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s test BUILD="$tmp/b2" TESTS="$probe" \
  "TEST_CMD_$probe=echo probe-make-output" TEST_DEPS= >"$tmp/make.out" 2>&1
rc=$?
check $rc "make test BUILD=... with one probe test passes"
grep -qx 'probe-make-output' "$tmp/b2/test-logs/$probe.log" 2>/dev/null
check $? "make test BUILD=DIR: the log is DIR/test-logs/$probe.log"
[ ! -e "build/test-logs/$probe.log" ]
check $? "make test BUILD=DIR: nothing written to build/test-logs"
rm -f "build/test-logs/$probe.log"

# TEST_JOBS
flag="$tmp/flag"
waiter="for i in \$(seq 200); do [ -e $flag ] && exit 0; sleep 0.1; done; exit 1"
out=$(BUILD="$tmp/b3" TEST_JOBS=2 tools/runtests.sh "$probe-wait=$waiter" "$probe-touch=touch $flag")
check $? "TEST_JOBS=2: the first test saw the second's file (they ran at once): $out"
out=$(BUILD="$tmp/b4" TEST_JOBS=1 tools/runtests.sh "$probe-1=true" "$probe-2=true" "$probe-3=true")
[ "$(grep -o "$probe-[0-9]" <<<"$out" | tr '\n' ' ')" = "$probe-1 $probe-2 $probe-3 " ]
check $? "TEST_JOBS=1: one after another, in order: $out"
out=$(BUILD="$tmp/b5" TEST_JOBS=0 tools/runtests.sh "$probe-x=true" 2>&1)
rc=$?
[ "$rc" -eq 2 ] && grep -q "TEST_JOBS '0'" <<<"$out"
check $? "TEST_JOBS=0 refused with status 2, naming the value (got $rc: $out)"
[ "$fail" -eq 0 ] || { echo "--- make output:"; cat "$tmp/make.out"; }
exit "$fail"
