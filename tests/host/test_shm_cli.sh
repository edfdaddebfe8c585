#!/usr/bin/env bash
# test_shm_cli.sh - the sgpu tool against sgpu-sim --shm NAME in separate invocations that act
# on one device (create-process, map, write, read, query, destroy-process, info), then the
# tool's error once the simulator is killed (no hang), and sgpu-sim's cleanup on SIGTERM.
#
#   test_shm_cli.sh SGPU SGPU_SIM [MODEL]     MODEL default ref
#
# Every sgpu invocation and every wait runs under a timeout, so a hang fails the test.
set -u
cli=${1:?usage: test_shm_cli.sh SGPU SGPU_SIM [MODEL]}
sim=${2:?usage: test_shm_cli.sh SGPU SGPU_SIM [MODEL]}
model=${3:-ref}
T=30
pass=0; fail=0
tmp=$(mktemp -d)
name="cli-$$"
obj="/dev/shm/sgpu-$name"
simpid=
cleanup() {
  [ -n "$simpid" ] && kill -KILL "$simpid" 2>/dev/null
  exec 3<&- 2>/dev/null
  rm -rf "$tmp"; rm -f "$obj"
}
trap cleanup EXIT
ok()  { pass=$((pass + 1)); echo "PASS  $*"; }
bad() { fail=$((fail + 1)); echo "FAIL  $*"; }
run() { # run EXPECTED_RC DESCRIPTION -- ARGS...
  local want=$1 what=$2; shift 3
  timeout $T "$cli" "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
  if [ "$rc" -eq "$want" ]; then ok "$what: exit $rc"; return 0; fi
  bad "$what: exit $rc, expected $want (sgpu $*)"; sed 's/^/      | /' "$tmp/err" | head -5
  return 1
}
field() { awk -v k="$1" '$1 == k {print $2; exit}' <<<"$out"; }

rm -f "$tmp/fifo"; mkfifo "$tmp/fifo"
"$sim" --model "$model" --shm "$name" >"$tmp/fifo" 2>"$tmp/sim.err" &
simpid=$!
exec 3<"$tmp/fifo"
if IFS= read -r -t $T -u 3 line && [ "$line" = "sgpu-sim: listening on shm:$name" ] && [ -e "$obj" ]; then
  ok "sgpu-sim --shm $name: first line '$line', $obj exists"
else
  bad "sgpu-sim --shm $name: first line '${line:-}'"; sed 's/^/      | /' "$tmp/sim.err"; exit 1
fi
U=(--uri "shm:$name")
for args in "--shm" "--shm a/b" "--shm $(printf 'x%.0s' {1..65})"; do
  # shellcheck disable=SC2086
  timeout $T "$sim" --model "$model" $args >"$tmp/out" 2>"$tmp/err"; rc=$?
  [ "$rc" -eq 2 ] && [ -s "$tmp/err" ] && [ ! -s "$tmp/out" ] && ok "sgpu-sim $args: usage error: $(cat "$tmp/err")" \
    || bad "sgpu-sim $args: exit $rc, stderr '$(cat "$tmp/err")'"
done
timeout $T "$sim" --help >"$tmp/out" 2>&1 && grep -q -- "--shm NAME" "$tmp/out" && ok "sgpu-sim --help names --shm NAME" \
  || bad "sgpu-sim --help lacks --shm"
run 0 "sgpu --help names shm:" -- --help && [[ "$out" == *"shm:NAME"* ]] && ok "--help: shm:NAME" || bad "--help lacks shm:NAME"
run 0 "info" -- "${U[@]}" info
[ "$(field uri)" = "shm:$name" ] && [ "$(field magic)" = 0x53475055 ] && ok "info: uri and magic" || bad "info: $out"
run 0 "create-process" -- "${U[@]}" create-process; h1=$(field handle)
run 0 "create-process, another invocation" -- "${U[@]}" create-process; h2=$(field handle)
[ -n "$h1" ] && [ -n "$h2" ] && [ "$h1" != "$h2" ] && ok "two invocations, one device: $h1, $h2" || bad "handles '$h1' '$h2'"
run 0 "map 2 pages" -- "${U[@]}" map "$h1" 0x10000 2
run 1 "the same map again: a conflict" -- "${U[@]}" map "$h1" 0x10000 1
[[ "$err" == *CONFLICTING_ADDRESSES* ]] && ok "conflict named" || bad "conflict: $err"
run 0 "write" -- "${U[@]}" write "$h1" 0x10ffc 0x11223344 0x55667788
run 0 "read, another invocation" -- "${U[@]}" read "$h1" 0x10ffc 2
[[ "$out" == *0x11223344* && "$out" == *0x55667788* ]] && ok "read back what another invocation wrote" || bad "read: $out"
run 0 "query" -- "${U[@]}" query "$h1"
[ "$(field data_frames)" = 2 ] && ok "query: data_frames 2" || bad "query: $out"
run 0 "destroy-process" -- "${U[@]}" destroy-process "$h1"
[ "$(field frames_freed)" -ge 2 ] 2>/dev/null && ok "destroy: frames_freed $(field frames_freed)" || bad "destroy: $out"
run 1 "a second destroy" -- "${U[@]}" destroy-process "$h1"
run 0 "destroy the other" -- "${U[@]}" destroy-process "$h2"
run 0 "query the device" -- "${U[@]}" query
[ "$(field live_processes)" = 0 ] && ok "the device is empty again" || bad "device: $out"
run 1 "a bad shm name" -- --uri "shm:a/b" info
[[ "$err" == *"bad shm name 'a/b'"* ]] && ok "names the bad name" || bad "bad name: $err"
run 1 "a name nobody serves" -- --uri "shm:nobody-$$" info
[[ "$err" == *"no shared object"* ]] && ok "names the missing object" || bad "missing: $err"

# SIGTERM: a clean exit that removes the object
kill -TERM "$simpid"
simout=$(timeout $T cat <&3); exec 3<&-
wait "$simpid"; rc=$?; simpid=
sed 's/^/      | /' <<<"$simout"
[ "$rc" -eq 0 ] && [[ "$simout" == *"removed"* ]] && [ ! -e "$obj" ] && ok "SIGTERM: exit 0, $obj removed" || bad "SIGTERM: rc $rc, object $(ls "$obj" 2>&1)"

# a killed simulator: a clear error, no hang
rm -f "$tmp/fifo"; mkfifo "$tmp/fifo"
"$sim" --model "$model" --shm "$name" >"$tmp/fifo" 2>"$tmp/sim.err" &
simpid=$!
exec 3<"$tmp/fifo"
IFS= read -r -t $T -u 3 line
run 0 "create-process on a new sgpu-sim" -- "${U[@]}" create-process
kill -KILL "$simpid"; wait "$simpid" 2>/dev/null; simpid=; exec 3<&-
run 1 "info after sgpu-sim was killed" -- "${U[@]}?timeout_ms=200" info
[[ "$err" == *"shm:$name"* && "$err" == *"gone"* ]] && ok "names shm:$name and the gone simulator: $err" || bad "killed: $err"

echo "test_shm_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
