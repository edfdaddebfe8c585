# sgpu top-level Makefile.
#   make demo      build everything (installing what is missing) and run the co-simulated demo
#   make test      the whole suite; ends with "N passed, N failed"
#   make bench     teardown benchmark -> build/bench/teardown.{csv,md,png}
#   make formal    SymbiYosys proofs (tests/formal/*.sby), a table of results (FORMAL_ARGS=)
#   make synth     the synthesis gate: the core through Yosys for iCE40 and ECP5 (SYNTH_CONFIGS=)
#   make soak      differential test, >= 1 M operations over several seeds (SEEDS=, OPS=)
#   make coverage  line/toggle/functional coverage of rtl/ from the RTL tests
#   make lint      verilator --lint-only -Wall on the RTL
#   make gen       regenerate rtl/gen, host/include/sgpu_codes.h, host/lib/sgpu_regs.h, docs/registers.md
#   make help      this text
# The rules are in mk/, by role: verilator.mk (every Verilated model, one recipe), host.mk,
# formal.mk, synth.mk, tests.mk (the test registry), fuzz.mk.

SHELL := /bin/bash
.DEFAULT_GOAL := help
BUILD ?= build
PYTHON ?= python3
VERILATOR ?= verilator
VERILATOR_ROOT ?= $(shell $(VERILATOR) --getenv VERILATOR_ROOT 2>/dev/null || echo /usr/share/verilator)
CC ?= gcc
CXX ?= g++
# Two cores on the reference machine: one Verilator build at a time, two compile jobs.
JOBS ?= 2

# The core: packages first, then every module under rtl/ (one per file, any folder).
RTL_PKG := rtl/gen/sgpu_regs_pkg.sv rtl/pkg/sgpu_pkg.sv
RTL_SRC := $(RTL_PKG) $(sort $(filter-out $(RTL_PKG),$(wildcard rtl/*/*.sv)))
RTL_TOP := sgpu_core
# The simulated device (what the models and the RTL benches build): the core plus sim/rtl/.
SIM_RTL_SRC := $(RTL_SRC) $(sort $(wildcard sim/rtl/*.sv))
SIM_TOP := sgpu_sim_top

# Test registry: fragments add a NAME to TESTS, its command to TEST_CMD_NAME (no double
# quotes inside) and what it needs to TEST_DEPS. Built first, then run in listed order.
TESTS :=
TEST_DEPS :=

include mk/verilator.mk
include mk/host.mk
include mk/formal.mk
include mk/synth.mk
include mk/tests.mk
include mk/fuzz.mk

.PHONY: help deps gen check-gen lint sim host demo test bench synth clean formal \
        soak coverage
help:
	@sed -n '2,/^$$/p' Makefile | sed -e 's/^# \{0,1\}//' -e '/^$$/d'

deps:
	@tools/deps.sh base

gen:
	$(PYTHON) tools/regmap.py

check-gen:
	$(PYTHON) tools/regmap.py --check

lint: deps
	$(VERILATOR) --lint-only -Wall --top-module $(RTL_TOP) $(RTL_SRC)

sim: $(SIM_LIBS)

host: $(SGPU_LIB_A) $(SGPU_LIB_SO) $(SGPU_CLI) $(SGPU_PC)

clean:
	rm -rf $(BUILD)

demo: check-gen $(BUILD)/sim/libsgpu_sim_default.so $(BUILD)/host/demo
	$(BUILD)/host/demo sim:

test: check-gen $(TEST_DEPS)
	@BUILD=$(BUILD) tools/runtests.sh $(foreach t,$(TESTS),"$(t)=$(TEST_CMD_$(t))")

bench: check-gen $(BUILD)/sim/libsgpu_sim_default.so $(BUILD)/host/bench_teardown
	@mkdir -p $(BUILD)/bench
	$(BUILD)/host/bench_teardown --uri sim: --csv $(BUILD)/bench/teardown.csv --md $(BUILD)/bench/teardown.md
	$(MAKE) --no-print-directory bench-plot
	@echo; cat $(BUILD)/bench/teardown.md

formal:
	$(FORMAL_CMD) $(FORMAL_ARGS)

synth:
	$(SYNTH_CMD) $(SYNTH_CONFIGS)

soak: check-gen $(BUILD)/sim/libsgpu_sim_small.so $(BUILD)/tests/cosim/difftest
	BUILD=$(BUILD) tools/soak.sh

coverage: check-gen $(BUILD)/sim/libsgpu_sim_smallcov.so $(BUILD)/tests/tb_teardown_cov \
          $(BUILD)/tests/cosim/difftest $(BUILD)/tests/cosim/scenarios $(BUILD)/tests/cosim/engines
	BUILD=$(BUILD) tools/coverage.sh
