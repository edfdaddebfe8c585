#!/usr/bin/env bash
# tests/rtl/param_limits.sh - the core's parameter limits are refused at elaboration by both
# tools with sgpu_core's own limit check (its message names the parameter), and the boundary
# values elaborate (defect 2 of issue 12:
# 256 processes or queues used to pass the check, then read 0 in CAPS0's 8-bit fields, and
# queue 255 collided with the "no queue" value 0xFF; the check ran only in Verilator).
#   param_limits.sh VERILATOR YOSYS SOURCES...
set -u
V=$1; Y=$2; shift 2
src=("$@")
fail=0
bad() {   # bad PARAM VALUE: both tools must refuse, naming PARAM
  local p=$1 v=$2 out
  out=$("$V" --lint-only -Wall --top-module sgpu_core "-G$p=$v" "${src[@]}" 2>&1) && {
    echo "FAIL  verilator accepted $p=$v"; fail=1; return; }
  grep -q "sgpu_core: $p .* outside" <<<"$out" || {
    echo "FAIL  verilator refused $p=$v, but not with sgpu_core's limit check:"; echo "$out" | head -3; fail=1; return; }
  out=$("$Y" -q -p "read_verilog -defer -sv ${src[*]}; hierarchy -check -top sgpu_core -chparam $p $v" 2>&1) && {
    echo "FAIL  yosys accepted $p=$v"; fail=1; return; }
  grep -q "sgpu_core: $p .* outside" <<<"$out" || {
    echo "FAIL  yosys refused $p=$v, but not with sgpu_core's limit check:"; echo "$out" | head -3; fail=1; return; }
  echo "ok    $p=$v refused by both tools, naming $p"
}
good() {  # good PARAM VALUE: the boundary value elaborates in both
  local p=$1 v=$2
  "$V" --lint-only -Wall --top-module sgpu_core "-G$p=$v" "${src[@]}" >/dev/null 2>&1 ||
    { echo "FAIL  verilator refused $p=$v"; fail=1; return; }
  "$Y" -q -p "read_verilog -defer -sv ${src[*]}; hierarchy -check -top sgpu_core -chparam $p $v" >/dev/null 2>&1 ||
    { echo "FAIL  yosys refused $p=$v"; fail=1; return; }
  echo "ok    $p=$v accepted by both tools"
}
bad NumProcs 256
bad NumProcs 0
bad NumQueues 255
bad PageShift 13
bad PageShift 5
good NumProcs 255
good NumQueues 254
good PageShift 12
good PageShift 6
[ $fail = 0 ] && echo "param_limits: all limits enforced by Verilator and Yosys"
exit $fail
