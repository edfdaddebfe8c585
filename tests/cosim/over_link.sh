#!/usr/bin/env bash
# over_link.sh - run a co-simulation program against a device served by sgpu-sim over a byte
# link, the RTL bridge in the loop by default:
#
#   over_link.sh SGPU_SIM 'SIM_ARGS' PROGRAM ARGS...
#
# starts `SGPU_SIM SIM_ARGS` (e.g. '--bridge rtl --model small --pty'), reads the URI from its
# first stdout line, runs PROGRAM ARGS with every @URI@ in ARGS replaced by it, then stops
# sgpu-sim (SIGTERM) and shows its summary. Passes when the program passed, sgpu-sim exited
# cleanly with its summary and, with --bridge rtl, its summary shows no byte dropped by either
# UART (framing error, overrun) and no engine ownership violation. Every wait is bounded.
set -u
sim=${1:?usage: over_link.sh SGPU_SIM 'SIM_ARGS' PROGRAM ARGS...}
simargs=${2:?usage: over_link.sh SGPU_SIM 'SIM_ARGS' PROGRAM ARGS...}
shift 2
[ $# -ge 1 ] || { echo "over_link.sh: no PROGRAM" >&2; exit 2; }
T=30
tmp=$(mktemp -d)
simpid=
cleanup() {
  [ -n "$simpid" ] && kill -KILL "$simpid" 2>/dev/null
  exec 3<&- 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

mkfifo "$tmp/fifo"
# shellcheck disable=SC2086
"$sim" $simargs >"$tmp/fifo" 2>"$tmp/sim.err" &
simpid=$!
exec 3<"$tmp/fifo"
if ! IFS= read -r -t $T -u 3 line || [[ "$line" != "sgpu-sim: listening on "* ]]; then
  echo "FAIL  sgpu-sim $simargs: no 'listening on' line within ${T}s (got '${line:-}')"
  sed 's/^/      | /' "$tmp/sim.err"
  exit 1
fi
uri=${line#sgpu-sim: listening on }
echo "over_link: sgpu-sim $simargs serves $uri"
sed 's/^/      | /' "$tmp/sim.err"
args=()
for a in "$@"; do args+=("${a//@URI@/$uri}"); done
"${args[@]}"; rc=$?
kill -TERM "$simpid"
simout=
while IFS= read -r -t $T -u 3 line; do simout+="$line"$'\n'; done
exec 3<&-
timeout $T tail --pid="$simpid" -s 0.05 -f /dev/null
if kill -0 "$simpid" 2>/dev/null; then
  echo "FAIL  sgpu-sim did not exit within ${T}s of SIGTERM"; exit 1
fi
wait "$simpid"; simrc=$?; simpid=
sed 's/^/      | /' <<<"$simout"
ok=1
if [ "$rc" -ne 0 ]; then echo "FAIL  ${args[*]}: exit $rc"; ok=0; fi
if [ "$simrc" -ne 0 ] || [[ "$simout" != *"sgpu-sim: exit on SIGTERM"* ]]; then
  echo "FAIL  sgpu-sim exit status $simrc, summary: $(grep exit <<<"$simout")"; ok=0
fi
if [[ " $simargs " == *" rtl "* ]]; then
  if [[ "$simout" == *"dropped 0 bytes for a framing error and 0 for an overrun, the host's UART 0; 0 engine ownership violations"* ]]; then
    echo "PASS  no byte lost on either UART, no engine ownership violation"
  else
    echo "FAIL  UART errors or ownership violations: $(grep clock: <<<"$simout")"; ok=0
  fi
fi
[ "$ok" -eq 1 ] && echo "over_link: PASS" || echo "over_link: FAIL"
[ "$ok" -eq 1 ]
