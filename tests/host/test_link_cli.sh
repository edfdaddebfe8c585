#!/usr/bin/env bash
# test_link_cli.sh - the sgpu tool against sgpu-sim over the byte link, in separate
# invocations that act on one device: create-process, map, write, read, query, then
# destroy-process, info; over tcp: (sgpu-sim --tcp 0) and pty: (sgpu-sim --pty). Also
# sgpu-sim's own interface: --help, usage errors, --once, a clean exit on SIGTERM with its
# summary, and what the tool says once the simulator is gone.
#
#   test_link_cli.sh SGPU SGPU_SIM [MODEL [BRIDGE]]
#     MODEL default ref (the C reference model); BRIDGE sgpu-sim's --bridge, default ref; rtl:
#     the RTL UART and link bridge in the Verilated model (MODEL small or default), bit-timed
#
# sgpu-sim's first stdout line gives its URI (read from a FIFO with a timeout, no sleeps);
# every sgpu invocation and every wait runs under a timeout, so a hang fails the test.
set -u
cli=${1:?usage: test_link_cli.sh SGPU SGPU_SIM [MODEL]}
sim=${2:?usage: test_link_cli.sh SGPU SGPU_SIM [MODEL]}
model=${3:-ref}
bridge=${4:-ref}
M=(--bridge "$bridge" --model "$model")
sofile=libsgpu_sim_no-such-model.so; [ "$bridge" = rtl ] && sofile=libsgpu_simlink_no-such-model.so
T=30 # seconds any one step may take
pass=0; fail=0
tmp=$(mktemp -d)
simpid=
cleanup() {
  [ -n "$simpid" ] && kill -KILL "$simpid" 2>/dev/null
  exec 3<&- 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

ok()  { pass=$((pass + 1)); echo "PASS  $*"; }
bad() { fail=$((fail + 1)); echo "FAIL  $*"; }

# run EXPECTED_RC DESCRIPTION -- ARGS...: sgpu ARGS under a timeout; stdout/stderr in $out/$err.
run() {
  local want=$1 what=$2; shift 3
  timeout $T "$cli" "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
  if [ "$rc" -eq "$want" ]; then ok "$what: exit $rc"; return 0; fi
  bad "$what: exit $rc, expected $want (sgpu $*)"; sed 's/^/      | /' "$tmp/err" | head -5
  return 1
}
# field NAME: the value of "NAME  VALUE" in $out (the tool's text output)
field() { awk -v k="$1" '$1 == k {print $2; exit}' <<<"$out"; }
# expect_field NAME VALUE DESCRIPTION
expect_field() {
  local v; v=$(field "$1")
  if [ "$v" = "$2" ]; then ok "$3: $1 = $2"; else bad "$3: $1 = '$v', expected '$2'"; fi
}
has() { # has TEXT WHERE DESCRIPTION
  local text=$1 hay; if [ "$2" = out ]; then hay=$out; else hay=$err; fi
  if [[ "$hay" == *"$text"* ]]; then ok "$3 names '$text'"
  else bad "$3: '$text' not in std$2: $(head -c 300 <<<"$hay")"; fi
}

# start_sim ARGS...: sgpu-sim in the background, its stdout on fd 3; sets $uri and $simpid.
start_sim() {
  rm -f "$tmp/fifo"; mkfifo "$tmp/fifo"
  "$sim" "$@" >"$tmp/fifo" 2>"$tmp/sim.err" &
  simpid=$!
  exec 3<"$tmp/fifo"
  local line
  if IFS= read -r -t $T -u 3 line && [[ "$line" == "sgpu-sim: listening on "* ]]; then
    uri=${line#sgpu-sim: listening on }
    ok "sgpu-sim $*: first line '$line'"
    return 0
  fi
  bad "sgpu-sim $*: no 'listening on' line within ${T}s (got '${line:-}')"
  sed 's/^/      | /' "$tmp/sim.err" | head -5
  return 1
}
# stop_sim [SIGNAL]: signal it, read the rest of its stdout into $simout, expect exit 0.
stop_sim() {
  local sig=${1:-TERM} line rc
  [ -n "$simpid" ] || return 1
  [ "$sig" = none ] || kill -"$sig" "$simpid"
  simout=
  while IFS= read -r -t $T -u 3 line; do simout+="$line"$'\n'; done
  exec 3<&-
  # it has closed its stdout: it is exiting; wait for that (bounded)
  timeout $T tail --pid="$simpid" -s 0.05 -f /dev/null
  if kill -0 "$simpid" 2>/dev/null; then
    bad "sgpu-sim did not exit within ${T}s (SIG$sig)"; kill -KILL "$simpid"; simpid=; return 1
  fi
  wait "$simpid"; rc=$?; simpid=
  sed 's/^/      | /' <<<"$simout"
  local why="after SIG$sig"; [ "$sig" = none ] && why="by itself when its client left"
  if [ "$rc" -eq 0 ] && [[ "$simout" == *"sgpu-sim: exit"* ]]; then
    ok "sgpu-sim exits with status 0 and its summary $why"
  else
    bad "sgpu-sim exit status $rc $why, summary: $(grep exit <<<"$simout")"
  fi
}

# ----------------------------------------------------------------------------- sgpu-sim itself
timeout $T "$sim" --help >"$tmp/out" 2>&1 && ok "sgpu-sim --help exits 0" || bad "sgpu-sim --help"
out=$(cat "$tmp/out")
for w in --pty --tcp --fault --seed --once "listening on" "C reference bridge"; do has "$w" out "sgpu-sim --help"; done
for args in "--tcp" "--fault rx:drop" "--fault sideways:drop:0.1" "--fault rx:melt:0.1" \
            "--fault rx:drop:2" "--tcp 70000" "--bogus" "--admin-wait-log2 99"; do
  # shellcheck disable=SC2086
  timeout $T "$sim" "${M[@]}" $args >"$tmp/out" 2>"$tmp/err"; rc=$?
  err=$(cat "$tmp/err")
  if [ "$rc" -ne 0 ] && [ -n "$err" ] && [ ! -s "$tmp/out" ]; then ok "sgpu-sim $args: refused (exit $rc): $err"
  else bad "sgpu-sim $args: exit $rc, stderr '$err'"; fi
done
timeout $T "$sim" --bridge "$bridge" --model no-such-model --tcp 0 >"$tmp/out" 2>"$tmp/err"; rc=$?
err=$(cat "$tmp/err")
[ "$rc" -eq 1 ] && [[ "$err" == *"$sofile"* ]] && ok "sgpu-sim --bridge $bridge --model no-such-model: exit 1 naming the file" \
  || bad "sgpu-sim --bridge $bridge --model no-such-model: exit $rc: $err"
if [ "$bridge" = rtl ]; then
  for args in "--admin-wait-log2 6" "--sim-hz 0" "--bridge vhdl"; do
    # shellcheck disable=SC2086
    timeout $T "$sim" "${M[@]}" $args >"$tmp/out" 2>"$tmp/err"; rc=$?
    err=$(cat "$tmp/err")
    if [ "$rc" -ne 0 ] && [ -n "$err" ] && [ ! -s "$tmp/out" ]; then ok "sgpu-sim ${M[*]} $args: refused (exit $rc): $err"
    else bad "sgpu-sim ${M[*]} $args: exit $rc, stderr '$err'"; fi
  done
fi

# ----------------------------------------------------------------------------- the tool
run 0 "sgpu --help" -- --help
for s in "tcp:HOST:PORT" "pty:PATH" "sim:"; do has "$s" out "sgpu --help"; done

# lifecycle URI_KIND: one device across separate invocations
lifecycle() {
  local kind=$1
  echo "-- over $kind:"
  if [ "$kind" = tcp ]; then start_sim "${M[@]}" --tcp 0 || return; else start_sim "${M[@]}" --pty || return; fi
  [[ "$uri" == "$kind:"* ]] && ok "URI '$uri' is a $kind: URI" || bad "URI '$uri' is not a $kind: URI"
  local U=(--uri "$uri")
  run 0 "info" -- "${U[@]}" info || return
  expect_field magic 0x53475055 "info over $kind"
  expect_field uri "$uri" "info over $kind"
  local procs pb; procs=$(field num_procs); pb=$(field page_bytes)
  local last=$((0x10000 + pb - 4)) # the last word of the first page, then the next page's first
  local a1 a2; a1=$(printf '0x%08x' "$last"); a2=$(printf '0x%08x' $((last + 4)))
  run 0 "create-process" -- "${U[@]}" create-process || return
  local h1; h1=$(field handle)
  run 0 "a second create-process, another invocation" -- "${U[@]}" create-process || return
  local h2; h2=$(field handle)
  [ -n "$h1" ] && [ -n "$h2" ] && [ "$h1" != "$h2" ] \
    && ok "two invocations, one device: handles $h1 and $h2 differ" \
    || bad "handles '$h1' and '$h2' (the second invocation must see the first's process)"
  run 0 "query device" -- "${U[@]}" query && expect_field live_processes 2 "after two creates in two invocations"
  run 0 "map $h1 0x10000 4" -- "${U[@]}" map "$h1" 0x10000 4
  run 0 "query $h1" -- "${U[@]}" query "$h1" && expect_field data_frames 4 "query after map (another invocation)"
  expect_field state ACTIVE "query after map"
  run 0 "write" -- "${U[@]}" write "$h1" "$a1" 0xdeadbeef 0x12345678
  run 0 "read back in another invocation" -- "${U[@]}" read "$h1" "$a1" 2
  [[ "$out" == *"$a1 0xdeadbeef"* && "$out" == *"$a2 0x12345678"* ]] \
    && ok "read across a page boundary returns what the other invocation wrote" \
    || bad "read returned: $out"
  run 1 "map over a mapped page" -- "${U[@]}" map "$h1" 0x10000 1 && has STATUS_CONFLICTING_ADDRESSES err "map conflict"
  run 0 "destroy-process $h1" -- "${U[@]}" destroy-process "$h1" --policy eager
  local freed pt; freed=$(field frames_freed); pt=$(field pt_pages_freed)
  [ -n "$freed" ] && [ -n "$pt" ] && [ "$freed" -eq $((4 + pt)) ] && [ "$pt" -ge 1 ] \
    && ok "destroy freed 4 data frames + $pt tables ($freed)" || bad "destroy freed '$freed' frames, '$pt' tables"
  local v; v=$(field validate_cycles)
  [ -n "$v" ] && [ "$v" -gt 0 ] && ok "destroy reports its phases (validate_cycles $v)" || bad "validate_cycles '$v'"
  run 1 "destroy-process $h1 again" -- "${U[@]}" destroy-process "$h1" && has STATUS_INVALID_HANDLE err "second destroy"
  run 0 "destroy-process $h2 (default policy)" -- "${U[@]}" --json destroy-process "$h2"
  [[ "$out" == *'"frames_freed":'* && "$out" == *'"status":"STATUS_SUCCESS"'* ]] && ok "--json destroy" || bad "--json destroy: $out"
  run 0 "wait-clean" -- "${U[@]}" wait-clean
  run 0 "query device" -- "${U[@]}" query
  expect_field live_processes 0 "after both destroys"
  expect_field frames_used 0 "after both destroys"
  expect_field frames_dirty 0 "after wait-clean"
  run 0 "info" -- "${U[@]}" info && expect_field num_procs "$procs" "info again"
  run 0 "selftest over the link" -- "${U[@]}" selftest && has PASS out "selftest"
  printf '%s\n' '$p = create-process' 'map $p 0x20000 2' 'write $p 0x20000 7 8' \
    'destroy-process $p --policy host' >"$tmp/script"
  run 0 "script over the link (host-driven destroy)" -- "${U[@]}" script "$tmp/script" \
    && has "frames_freed" out "script"
  stop_sim TERM
  if [ "$kind" = tcp ]; then
    [[ "$simout" == *"connection 1 closed: frames in"* ]] && ok "sgpu-sim reports each connection's frames" \
      || bad "no per-connection line from sgpu-sim"
    [[ "$simout" == *"NAKed 0, dropped 0"* || "$simout" == *"NAKs 0, damaged 0"* ]] \
      && ok "a clean link: no NAKs, no dropped or damaged frames" || bad "NAKs or drops on a clean link"
  fi
  if [ "$bridge" = rtl ]; then
    [[ "$simout" == *"on the RTL bridge's UART pins"* && "$simout" == *" baud"* && \
       "$simout" == *"cycles per wall second"* && "$simout" == *"dropped 0 bytes for a framing error and 0 for an overrun, the host's UART 0"* ]] \
      && ok "sgpu-sim --bridge rtl reports the pins' counts, the baud rate, the co-simulation speed, no UART error" \
      || bad "sgpu-sim --bridge rtl summary: $simout"
    grep -q "UART 8N1 at 4/1 clock cycles per bit, simulated clock 12000000 Hz, 3000000 baud" "$tmp/sim.err" \
      && ok "sgpu-sim --bridge rtl states its clock and baud rate at start (stderr)" \
      || bad "sgpu-sim --bridge rtl start line: $(head -3 "$tmp/sim.err")"
  fi
  # The simulator is gone: a clear error, exit 1, no hang.
  run 1 "info after sgpu-sim exited" -- --uri "$uri" info && has "$uri" err "error after exit"
}
lifecycle tcp
lifecycle pty

# --once: serves one client, then exits by itself.
echo "-- --once:"
if start_sim "${M[@]}" --tcp 0 --once; then
  run 0 "info (the one client)" -- --uri "$uri" info
  stop_sim none
fi
if start_sim "${M[@]}" --pty --once; then
  run 0 "info over pty (the one client)" -- --uri "$uri" info
  stop_sim none
fi

echo "test_link_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
