#!/usr/bin/env bash
# postsynth.sh - the post-synthesis check of a board: the synthesized netlist (Yosys's
# write_verilog of the bitstream's netlist, with Yosys's own cell models, Verilated) must
# answer the real host code exactly as the RTL board top does.
#
#   postsynth.sh SGPU SGPU_SIM RTL_MODEL NETLIST_SO TRACE_REPLAY OUTDIR
#
#   1. a lifecycle with the sgpu tool (info, create-process, map, write, read,
#      destroy-process --policy eager, query) against RTL_MODEL (libsgpu_simlink_BOARD.so,
#      the RTL top) served by sgpu-sim --bridge rtl --clock-hz 0 (the clock runs only while the
#      link is busy, so the run is short), with its pin trace written (SGPU_SIMLINK_TRACE);
#      the tool's answers are checked;
#   2. trace_replay drives that trace's RX into NETLIST_SO and requires the RTL's TX in every
#      cycle: the netlist behaves as the RTL, to the cycle, on that run;
#   3. the same replay of a copy of the trace with one TX bit flipped must fail (the check
#      can fail);
#   4. the same lifecycle live against NETLIST_SO through sgpu-sim: the netlist on its own.
# Every step runs under a timeout. Files in OUTDIR (the traces).
set -u
cli=${1:?usage: postsynth.sh SGPU SGPU_SIM RTL_MODEL NETLIST_SO TRACE_REPLAY OUTDIR}
sim=${2:?}; rtl=${3:?}; netlist=${4:?}; replay=${5:?}; out=${6:?}
T=60
mkdir -p "$out"
pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "PASS  $*"; }
bad() { fail=$((fail + 1)); echo "FAIL  $*"; }
simpid=
cleanup() { [ -n "$simpid" ] && kill -KILL "$simpid" 2>/dev/null; exec 3<&- 2>/dev/null; }
trap cleanup EXIT

# lifecycle MODEL TRACE: serve MODEL, run the tool's lifecycle, stop sgpu-sim; 0 when every
# answer was as expected
lifecycle() {
  local model=$1 trace=$2 line uri h o rc=0
  rm -f "$out/fifo"; mkfifo "$out/fifo"
  SGPU_SIMLINK_TRACE=$trace "$sim" --bridge rtl --model "$model" --pty --clock-hz 0 \
    >"$out/fifo" 2>"$out/sim.err" &
  simpid=$!
  exec 3<"$out/fifo"
  if ! IFS= read -r -t $T -u 3 line || [[ "$line" != "sgpu-sim: listening on "* ]]; then
    bad "sgpu-sim --model $model: no 'listening on' line (got '${line:-}')"; cat "$out/sim.err"; return 1
  fi
  uri=${line#sgpu-sim: listening on }
  c() { timeout $T "$cli" --uri "$uri" "$@"; }
  o=$(c info) && grep -q "^magic *0x53475055" <<<"$o" || { bad "$model: info: $o"; rc=1; }
  o=$(c create-process) && h=$(awk '/^handle/ {print $2}' <<<"$o") && [ -n "$h" ] ||
    { bad "$model: create-process: $o"; return 1; }
  c map "$h" 0x10000 2 >/dev/null || { bad "$model: map $h"; rc=1; }
  c write "$h" 0x10004 0x12345678 0xcafef00d >/dev/null || { bad "$model: write $h"; rc=1; }
  o=$(c read "$h" 0x10000 4)
  [ "$(awk '{print $2}' <<<"$o" | tr '\n' ' ')" = "0x00000000 0x12345678 0xcafef00d 0x00000000 " ] ||
    { bad "$model: read back after write: $o"; rc=1; }
  o=$(c destroy-process "$h" --policy eager)
  grep -q "^frames_freed *4$" <<<"$o" && grep -q "^pt_pages_freed *2$" <<<"$o" ||
    { bad "$model: destroy-process $h: $o"; rc=1; }
  o=$(c query)
  grep -q "^frames_used *0$" <<<"$o" || { bad "$model: query after the destroy: $o"; rc=1; }
  kill -TERM "$simpid"
  timeout $T tail --pid="$simpid" -s 0.05 -f /dev/null
  wait "$simpid"; local simrc=$?; simpid=
  exec 3<&-
  [ $simrc -eq 0 ] || { bad "$model: sgpu-sim exit status $simrc"; rc=1; }
  [ $rc -eq 0 ] && ok "$model: lifecycle through the sgpu tool (info, create, map, write, read, destroy, query)"
  return $rc
}

echo "postsynth: 1. the RTL top: $rtl"
lifecycle "$rtl" "$out/rtl-trace.txt"
echo "postsynth: 2. its pin trace replayed into the netlist: $netlist"
if timeout 600 "$replay" "$netlist" "$out/rtl-trace.txt"; then
  ok "the netlist's TX equals the RTL's in every cycle of the lifecycle"
else
  bad "the netlist differs from the RTL (above)"
fi
echo "postsynth: 3. the same with one TX bit of the trace flipped (must fail)"
# flip the TX of the middle pin line: the netlist now disagrees with the trace there
lines=$(grep -c '^[0-9]' "$out/rtl-trace.txt")
awk -v m=$((lines / 2)) '/^[0-9]/ {k++; if (k == m) {$4 = 1 - $4}} {print}' "$out/rtl-trace.txt" >"$out/bad-trace.txt"
if timeout 600 "$replay" "$netlist" "$out/bad-trace.txt" >"$out/bad.out" 2>&1; then
  bad "a trace with a flipped TX bit replayed without a mismatch"
elif grep -q "FAIL cycle" "$out/bad.out"; then
  ok "a flipped TX bit is caught: $(grep -o 'FAIL cycle [0-9]*' "$out/bad.out")"
else
  bad "the flipped trace failed for another reason: $(cat "$out/bad.out")"
fi
echo "postsynth: 4. the netlist served on its own"
lifecycle "$netlist" "$out/netlist-trace.txt"
echo "postsynth: $pass passed, $fail failed"
[ $fail -eq 0 ]
