#!/usr/bin/env bash
# test_cli.sh - the sgpu tool: --help of every command exits 0, usage errors exit 2 and name
# the bad value (before any device is opened), device failures exit 1 with the status name,
# and, against a working device, info/selftest/script/--json end to end.
#
#   test_cli.sh SGPU_BINARY [URI]      URI default sim: (the working device for end to end)
set -u
cli=${1:?usage: test_cli.sh SGPU_BINARY [URI]}
uri=${2:-sim:}
pass=0; fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

ok()  { pass=$((pass + 1)); echo "PASS  $*"; }
bad() { fail=$((fail + 1)); echo "FAIL  $*"; }

# run EXPECTED_RC DESCRIPTION -- ARGS...: runs the tool, keeps stdout/stderr in $out/$err.
run() {
  local want=$1 what=$2; shift 3
  "$cli" "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
  if [ "$rc" -eq "$want" ]; then ok "$what: exit $rc"; return 0; fi
  bad "$what: exit $rc, expected $want (sgpu $*)"; sed 's/^/      | /' "$tmp/err" | head -5
  return 1
}
# regdef NAME: the value of a #define of the generated headers (sgpu_regs.h, sgpu_codes.h)
regdef() {
  local v
  v=$(awk -v n="$1" '$1 == "#define" && $2 == n {sub(/u$/, "", $3); print $3}' \
        "$(dirname "$0")/../../host/lib/sgpu_regs.h" "$(dirname "$0")/../../host/include/sgpu_codes.h")
  [ -n "$v" ] || { echo "test_cli: $1 is not in the generated headers" >&2; exit 1; }
  echo "$v"
}
# has TEXT WHERE DESCRIPTION: TEXT occurs in $out or $err
has() {
  local text=$1 where=$2 what=$3 hay
  if [ "$where" = out ]; then hay=$out; else hay=$err; fi
  if [[ "$hay" == *"$text"* ]]; then ok "$what names '$text'"
  else bad "$what: '$text' not in std$where: $(head -c 300 <<<"$hay")"; fi
}

# ----------------------------------------------------------------------------- help
run 0 "--help" -- --help && has "script" out "--help"
run 0 "-h" -- -h
mapfile -t cmds < <("$cli" --list-commands)
[ "${#cmds[@]}" -ge 14 ] && ok "--list-commands lists ${#cmds[@]} commands" \
  || bad "--list-commands lists only ${#cmds[@]} commands"
for c in "${cmds[@]}"; do
  run 0 "$c --help" -- --uri sim:no-such-model "$c" --help && has "usage: sgpu" out "$c --help"
  run 0 "help $c" -- help "$c"
done
for c in info create-process destroy-process map unmap create-queue destroy-queue query \
         read write wait-clean wait-reclaim selftest script; do
  printf '%s\n' "${cmds[@]}" | grep -qx -- "$c" && ok "command $c exists" || bad "command $c missing"
done
run 0 "script --help says state does not persist" -- script --help && has "afresh" out "script --help"

# ----------------------------------------------------------------------------- usage errors
# A model that does not exist: usage errors must be found before the device is opened.
U=(--uri sim:no-such-model)
usage() { # usage BAD_VALUE ARGS...
  local v=$1; shift
  run 2 "usage error '$v'" -- "$@" && has "$v" err "usage error"
}
usage "'xyz'"          "${U[@]}" map xyz 0 1
usage "bad handle 'xyz': not a number" "${U[@]}" destroy-process xyz
usage "'0x1g'"         "${U[@]}" map 1 0x1g 1
usage "'-1'"           "${U[@]}" unmap 1 -1 1
usage "'99999999999'"  "${U[@]}" create-queue 1 0 99999999999
usage "missing pages"  "${U[@]}" map 1 2
usage "'4'"            "${U[@]}" unmap 1 2 3 4
usage "'extra'"        "${U[@]}" info extra
usage "'frobnicate'"   "${U[@]}" frobnicate
usage "'--bogus'"      --bogus info
usage "'--frob'"       "${U[@]}" query 1 --frob
usage "'sideways'"     "${U[@]}" destroy-process 1 --policy sideways
usage "--policy needs" "${U[@]}" destroy-process 1 --policy
usage "'0'"            "${U[@]}" read 1 0 0
usage "missing word"   "${U[@]}" write 1 0
usage "'zz'"           "${U[@]}" write 1 0 1 zz
usage "--uri needs"    --uri
usage "no command"     "${U[@]}"
usage "'/no/such/script'" "${U[@]}" script /no/such/script
usage "missing handle" "${U[@]}" wait-reclaim
usage "'soon'"         "${U[@]}" wait-reclaim 1 soon
usage "'3'"            "${U[@]}" wait-reclaim 1 2 3
run 0 "destroy-process --help tells the phases" -- destroy-process --help &&
  has "stop_drain" out "destroy-process --help" && has "PROCESS_IS_TERMINATING" out "destroy-process --help"
[[ "$out" != *NOT_IMPLEMENTED* ]] && ok "destroy-process --help no longer says NOT_IMPLEMENTED" \
  || bad "destroy-process --help still says NOT_IMPLEMENTED"
run 0 "query --help names reclaim_pending" -- query --help && has "reclaim_pending" out "query --help"
usage "'--json'"       "${U[@]}" info --json
run 2 "usage error in --json mode" -- --json "${U[@]}" map 1 2 zz &&
  has '"status":"USAGE"' out "--json usage error"

# ----------------------------------------------------------------------------- open failures
run 1 "missing model" -- --uri sim:no-such-model info &&
  has "STATUS_NOT_FOUND" err "missing model" && has "libsgpu_sim_no-such-model.so" err "missing model"
run 1 "unknown scheme" -- --uri nosuch:/dev/ttyUSB0 info && has "'nosuch'" err "unknown scheme"
run 1 "--json open failure" -- --json --uri bogus:x info &&
  has '"status":"STATUS_NOT_FOUND"' out "--json open failure"

# ----------------------------------------------------------------------------- end to end
D=(--uri "$uri")
if ! "$cli" "${D[@]}" info >/dev/null 2>&1; then
  bad "device $uri does not open: $("$cli" "${D[@]}" info 2>&1 | head -2)"
  echo "test_cli: $pass passed, $fail failed"; exit 1
fi
run 0 "info" -- "${D[@]}" info && has "0x53475055" out "info"
run 0 "selftest" -- "${D[@]}" selftest && has "selftest: PASS" out "selftest"
run 1 "device failure" -- "${D[@]}" query 0x12345 && has "STATUS_INVALID_HANDLE" err "device failure"
run 0 "fresh device each invocation" -- "${D[@]}" create-process && first=$out
run 0 "fresh device again" -- "${D[@]}" create-process
[ "$out" = "$first" ] && ok "two invocations get the same first handle (state does not persist)" \
  || bad "two invocations gave '$first' and '$out'"

cat >"$tmp/s.txt" <<'EOF'
# every command, on one device
$a = create-process
$b = create-process
map $a 0x10000 4
map $a 0x20000 2
write $a 0x10000 0xdeadbeef 1 2 3
$w = read $a 0x10000 4
read $a 0x1000c
expect STATUS_CONFLICTING_ADDRESSES map $a 0x10000 1
expect STATUS_NOT_MAPPED_VIEW unmap $a 0x30000 1
expect STATUS_ACCESS_VIOLATION read $a 0x30000
unmap $a 0x20000 1
$q = create-queue $a 0x10000 4
doorbell $q 5
reg-read 0x100
query $a
query
destroy-process $a --policy host
expect STATUS_INVALID_HANDLE query $a
$q2 = create-queue $b 0x0 2
destroy-queue $b $q2
destroy-process $b --policy=eager
wait-clean
info
EOF
ncmd=$(grep -cv '^\s*\(#\|$\)' "$tmp/s.txt")
run 0 "script" -- "${D[@]}" script "$tmp/s.txt" &&
  has "0x00010000 0xdeadbeef" out "script read" && has "queues_freed       1" out "script host destroy"
run 0 "script from stdin" -- "${D[@]}" script - <"$tmp/s.txt"
run 0 "--json script" -- --json "${D[@]}" script "$tmp/s.txt"
nobj=$(grep -c '^{' <<<"$out")
[ "$nobj" -eq "$ncmd" ] && ok "--json script printed one object per command ($nobj)" \
  || bad "--json script printed $nobj objects for $ncmd commands"
if command -v python3 >/dev/null; then
  if python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin if l.strip()]' <<<"$out"; then
    ok "--json output parses as JSON"
  else bad "--json output does not parse as JSON"; fi
fi
has '"command":"destroy-process","status":"STATUS_SUCCESS","handle":65536,"policy":"host"' out "--json destroy"
run 0 "--json info" -- --json "${D[@]}" info && has '"magic":1397182549' out "--json info"
run 1 "--json device failure" -- --json "${D[@]}" query 0x12345 &&
  has '"status":"STATUS_INVALID_HANDLE"' out "--json device failure"

# DEFERRED (docs/semantics.md): completes with the phases, the process is DYING
# (PROCESS_IS_TERMINATING, counted in reclaim_pending) until its reclaim event.
cat >"$tmp/d.txt" <<'EOF'
$p = create-process
map $p 0 16
$q = create-queue $p 0x0 2
destroy-process $p --policy deferred
expect STATUS_PROCESS_IS_TERMINATING query $p
expect STATUS_PROCESS_IS_TERMINATING destroy-process $p --policy eager
query
$c = wait-reclaim $p
wait-reclaim $p 1
expect STATUS_INVALID_HANDLE query $p
query
$r = create-process
expect STATUS_INVALID_PARAMETER wait-reclaim $r
EOF
run 0 "deferred script" -- "${D[@]}" script "$tmp/d.txt" &&
  has "policy             deferred" out "deferred destroy" &&
  has "validate_cycles" out "deferred destroy" && has "free_cycles        0" out "deferred destroy" &&
  has "reclaim_pending    1" out "query while DYING" && has "reclaim_pending    0" out "query after the event" &&
  has "frames             18" out "wait-reclaim" && has "exact              1" out "wait-reclaim"
run 0 "--json deferred script" -- --json "${D[@]}" script "$tmp/d.txt" &&
  has '"policy":"deferred","cycles":' out "--json deferred destroy" &&
  has '"command":"wait-reclaim","status":"STATUS_SUCCESS","handle":65536,"seq":1,"frames":18' out "--json wait-reclaim" &&
  has '"reclaim_pending":1' out "--json query"
if command -v python3 >/dev/null; then
  if python3 -c '
import json, sys
objs = [json.loads(l) for l in sys.stdin if l.strip()]
d = [o for o in objs if o["command"] == "destroy-process" and o["status"] == "STATUS_SUCCESS"][0]
ph = sum(d[k] for k in ("validate_cycles", "stop_drain_cycles", "tlb_cycles", "complete_cycles"))
assert d["free_cycles"] == 0 and d["release_cycles"] == 0, d
assert 0 < ph <= d["cycles"], d
w = [o for o in objs if o["command"] == "wait-reclaim" and o["status"] == "STATUS_SUCCESS"][0]
assert w["cycles"] > d["cycles"] and 0 < w["scrub_cycles"] < w["cycles"], w
' <<<"$out"; then ok "--json deferred: phases within the cycles, free/release 0, reclaim after completion"
  else bad "--json deferred: phase or reclaim fields inconsistent"; fi
fi
# Issue 12 defect 4: an eager destroy's scrub while a deferred event is pending must not
# leak into that event (it once reported scrub_cycles 2423 of cycles 221 with exact 1).
printf '$a = create-process\nmap $a 0 3\n$b = create-process\nmap $b 0 32\ndestroy-process $a --policy deferred\ndestroy-process $b --policy eager\nwait-reclaim $a\n' >"$tmp/d4.txt"
command -v python3 >/dev/null || bad "defect 4: python3 (a make test dependency) is missing"
if run 0 "deferred 3 frames, eager 32, wait-reclaim" -- --json "${D[@]}" script "$tmp/d4.txt" &&
   command -v python3 >/dev/null; then
  if python3 -c '
import json, sys
objs = [json.loads(l) for l in sys.stdin if l.strip()]
e = [o for o in objs if o["command"] == "destroy-process"][1]
w = [o for o in objs if o["command"] == "wait-reclaim"][0]
assert e["status"] == "STATUS_SUCCESS" and e["frames_freed"] >= 32, e
assert w["status"] == "STATUS_SUCCESS" and w["exact"] == 1, w
assert 0 < w["scrub_cycles"] < w["cycles"], w
' <<<"$out"; then ok "defect 4: the reclaim event keeps its own scrub count (scrub < cycles, exact 1)"
  else bad "defect 4: the reclaim event's scrub count is wrong: $(grep wait-reclaim <<<"$out")"; fi
fi
printf 'destroy-process 0x10000 --policy deferred\n' >"$tmp/d2.txt"
run 1 "deferred destroy of nothing" -- "${D[@]}" script "$tmp/d2.txt" && has "STATUS_INVALID_HANDLE" err "deferred destroy of nothing"
printf '$p = create-process\nmap $p 0 32\ndestroy-process $p --policy deferred\nwait-reclaim $p 1\n' >"$tmp/d3.txt"
run 1 "wait-reclaim timeout" -- "${D[@]}" script "$tmp/d3.txt" && has "STATUS_IO_TIMEOUT" err "wait-reclaim 1 cycle"

printf 'create-process\nmap 0x10000 0 1\nmap 0x10000 0 1\ninfo\n' >"$tmp/f.txt"
run 1 "failing script stops" -- "${D[@]}" script "$tmp/f.txt" &&
  has "f.txt:3" err "failing script" && has "STATUS_CONFLICTING_ADDRESSES" err "failing script"
[[ "$out" != *magic* ]] && ok "lines after the failure did not run" || bad "script ran on after a failure"
printf 'expect STATUS_NO_MEMORY create-process\n' >"$tmp/e.txt"
run 1 "unmet expect" -- "${D[@]}" script "$tmp/e.txt" && has "expected STATUS_NO_MEMORY, got STATUS_SUCCESS" err "unmet expect"
printf 'map $nope 0 1\n' >"$tmp/v.txt"
run 2 "undefined variable" -- "${D[@]}" script "$tmp/v.txt" && has "'\$nope'" err "undefined variable"
printf 'script x\n' >"$tmp/n.txt"
run 2 "nested script" -- "${D[@]}" script "$tmp/n.txt"

# Register addresses beyond the bus never reach the device (defect 1, host half). Offsets and
# the bus width come from the generated header (the map moves registers). DRAIN_TIMEOUT is a rw
# register that reads back (CMD_ARGn are write-only).
drain=$(printf '0x%x' "$(regdef SGPU_REG_DRAIN_TIMEOUT)")
bus=$(printf '0x%x' $((1 << $(regdef SGPU_BUS_ADDR_BITS))))
far_drain=$(printf '0x%x' $((bus + drain)))
far_db=$(printf '0x%x' $((bus + $(regdef SGPU_REG_ADMIN_DOORBELL))))
cat >"$tmp/r.txt" <<EOF2
reg-write $drain 0x1234
expect STATUS_INVALID_PARAMETER reg-write $far_drain 0xdead
reg-read $drain
\$a = create-process
query
expect STATUS_INVALID_PARAMETER reg-write $far_db 1
query
EOF2
run 0 "out-of-range register writes" -- "${D[@]}" script "$tmp/r.txt"
# the value the reg-read printed (not the reg-write's echo)
v=$(awk -v cmd="> reg-read $drain" '$0 == cmd {n = 1; next} n && $1 == "value" {print $2; exit}' <<<"$out")
[ "$v" = 0x00001234 ] && ok "DRAIN_TIMEOUT unchanged after reg-write $far_drain ($v)" ||
  bad "DRAIN_TIMEOUT after reg-write $far_drain reads '$v', expected 0x00001234"
n1=$(grep -c "live_processes     1" <<<"$out")
[ "$n1" -eq 2 ] && [[ "$out" != *"live_processes     2"* ]] &&
  ok "reg-write $far_db did not ring the doorbell (live_processes 1 before and after)" ||
  bad "reg-write $far_db re-ran a command: $(grep live_processes <<<"$out" | tr '\n' ' ')"
run 1 "reg-read $bus" -- "${D[@]}" reg-read "$bus" &&
  has "STATUS_INVALID_PARAMETER" err "reg-read $bus" && has "$bus" err "reg-read $bus"
[[ "$out" != *value* ]] && ok "reg-read $bus printed no value" || bad "reg-read $bus printed '$out'"

# Script input problems are reported, never taken for the end of the file (defect 12).
run 2 "script of a directory" -- "${D[@]}" script "$tmp" &&
  has "Is a directory" err "script of a directory" && has "$tmp" err "script of a directory"
run 2 "script /dev/zero" -- "${D[@]}" script /dev/zero &&
  has "/dev/zero:1" err "script /dev/zero" && has "NUL byte" err "script /dev/zero"
printf 'info\0 extra words\ninfo\n' >"$tmp/nul.txt"
run 2 "script with a NUL byte" -- "${D[@]}" script "$tmp/nul.txt" &&
  has "nul.txt:1" err "NUL byte" && has "column 5" err "NUL byte"
[[ "$out" != *magic* ]] && ok "the line with the NUL byte did not run" || bad "the line with the NUL byte ran"
{ printf 'info\n'; head -c 5000 /dev/zero | tr '\0' a; printf '\n'; } >"$tmp/long.txt"
run 2 "script with a long line" -- "${D[@]}" script "$tmp/long.txt" &&
  has "long.txt:2" err "long line" && has "longer than 4096" err "long line"
printf 'map \377\376 0 1\nexpect STATUS_INVALID_HANDLE query 0x12345 \303\n' >"$tmp/u.txt"
run 2 "--json script with invalid UTF-8" -- --json "${D[@]}" script "$tmp/u.txt"
if command -v python3 >/dev/null; then
  if python3 -c '
import json, sys
objs = [json.loads(l) for l in sys.stdin.buffer.read().decode("utf-8").splitlines() if l.strip()]
assert objs and "\ufffd" in objs[0]["error"], objs
' <"$tmp/out"; then ok "--json with invalid UTF-8 input is valid UTF-8 JSON (U+FFFD)"
  else bad "--json with invalid UTF-8 input: not valid JSON: $(head -c 200 "$tmp/out" | od -c | head -3)"; fi
fi

# Phase registers that cannot be read after a successful destroy (defect 9): only on the
# device shell, whose fault switch makes reads fail.
if [[ "$uri" == sim:fake* ]]; then
  printf '$p = create-process\nmap $p 0 2\ndestroy-process $p\nquery\n' >"$tmp/ph.txt"
  # TD_VALIDATE's offset, from the generated header (the map moves registers)
  td_validate=$(regdef SGPU_REG_TD_VALIDATE)
  SGPU_MODEL_FAIL_READS=$td_validate run 0 "destroy with unreadable phases" -- --json "${D[@]}" script "$tmp/ph.txt" &&
    has '"frames_freed":4' out "destroy with unreadable phases" &&
    has '"phases_read":0' out "destroy with unreadable phases" &&
    has "could not be read" err "destroy with unreadable phases" &&
    has '"live_processes":0' out "destroy with unreadable phases"
fi

echo "test_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
