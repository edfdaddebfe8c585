# sgpu top-level Makefile.
#   make demo     build everything (installing what is missing) and run the co-simulated demo
#   make test     the whole suite; ends with "N passed, N failed"
#   make bench    teardown benchmark -> build/bench/teardown.{csv,md,png}
#   make formal   SymbiYosys proofs (tests/formal/*.sby), a table of results
#   make soak     differential test, >= 1 M operations over several seeds (SEEDS=, OPS=)
#   make coverage line/toggle/functional coverage of rtl/ from the RTL tests
#   make lint     verilator --lint-only -Wall on the RTL
#   make gen      regenerate rtl/gen, host/include/sgpu_codes.h, host/lib/sgpu_regs.h, docs/registers.md
#   make help     this text

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

# ---------------------------------------------------------------------------- RTL
# The core: packages first, then every module under rtl/ (one per file, any folder).
RTL_PKG := rtl/gen/sgpu_regs_pkg.sv rtl/pkg/sgpu_pkg.sv
RTL_SRC := $(RTL_PKG) $(sort $(filter-out $(RTL_PKG),$(wildcard rtl/*/*.sv)))
RTL_TOP := sgpu_core
# The simulated device (what the models and the RTL benches build): the core plus sim/rtl/.
SIM_RTL_SRC := $(RTL_SRC) $(sort $(wildcard sim/rtl/*.sv))
SIM_TOP := sgpu_sim_top

# Model configurations: NAME -> Verilator -G overrides. See docs/architecture.md.
SIM_CONFIGS := default small
SIM_PARAMS_default := -GPageShift=12 -GNumFrames=20480 -GNumProcs=8 -GNumQueues=8 -GTlbEntries=8
# small: the randomized tests' device; its memory stalls at random and starts with garbage
# (MemZeroed=0: every frame is scrubbed before its first use, as on SPRAM or SDRAM).
SIM_PARAMS_small   := -GPageShift=8 -GNumFrames=64 -GNumProcs=4 -GNumQueues=4 -GTlbEntries=4 \
                      -GMemStallPct=20 -GMemExtraLat=3 -GMemSeed=7 -GMemZeroed=0
# smallcov: the small configuration with line, toggle and functional coverage (make coverage)
SIM_PARAMS_smallcov := $(SIM_PARAMS_small) --coverage
SIM_EXTRA_OBJS_smallcov := verilated_cov.o
SIM_CXXDEFS_smallcov := -DVM_COVERAGE=1
VFLAGS := -Wall --assert --x-assign unique --x-initial unique -O3 --threads 1 \
          -CFLAGS "-O2 -fPIC -std=c++17" -Isim

.PHONY: help deps gen check-gen lint sim host demo test bench clean formal soak coverage
help:
	@sed -n '2,11p' Makefile | sed 's/^# //'

deps:
	@tools/deps.sh base

gen:
	$(PYTHON) tools/regmap.py

check-gen:
	$(PYTHON) tools/regmap.py --check

formal:
	BUILD=$(BUILD) tools/formal.sh

coverage: check-gen $(BUILD)/sim/libsgpu_sim_smallcov.so $(BUILD)/tests/tb_teardown_cov $(BUILD)/tests/cosim/difftest $(BUILD)/tests/cosim/scenarios $(BUILD)/tests/cosim/engines
	BUILD=$(BUILD) tools/coverage.sh

soak: check-gen $(BUILD)/sim/libsgpu_sim_small.so $(BUILD)/tests/cosim/difftest
	BUILD=$(BUILD) tools/soak.sh

lint: deps
	$(VERILATOR) --lint-only -Wall --top-module $(RTL_TOP) $(RTL_SRC)

# One shared object per configuration; the sim transport dlopens it.
SIM_LIBS := $(foreach c,$(SIM_CONFIGS),$(BUILD)/sim/libsgpu_sim_$(c).so)
sim: $(SIM_LIBS)

$(BUILD)/sim/libsgpu_sim_%.so: $(SIM_RTL_SRC) sim/sgpu_sim.cpp sim/sgpu_sim.h sim/sgpu_harness.h \
                              host/lib/sgpu_regs.h host/include/sgpu_codes.h | deps
	@mkdir -p $(BUILD)/sim/obj_$*
	$(VERILATOR) --cc $(VFLAGS) $(SIM_PARAMS_$*) --top-module $(SIM_TOP) --prefix Vsgpu_sim_top \
	  -Mdir $(BUILD)/sim/obj_$* $(SIM_RTL_SRC)
	$(MAKE) -s -C $(BUILD)/sim/obj_$* -f Vsgpu_sim_top.mk -j$(JOBS) Vsgpu_sim_top__ALL.a verilated.o \
	  verilated_threads.o $(SIM_EXTRA_OBJS_$*) VM_PARALLEL_BUILDS=1 OPT_FAST=-O2
	$(CXX) -shared -fPIC -O2 -std=c++17 -DSGPU_SIM_CONFIG='"$*"' $(SIM_CXXDEFS_$*) -Isim -I$(BUILD)/sim/obj_$* \
	  -I$(VERILATOR_ROOT)/include -I$(VERILATOR_ROOT)/include/vltstd \
	  sim/sgpu_sim.cpp $(BUILD)/sim/obj_$*/Vsgpu_sim_top__ALL.a $(BUILD)/sim/obj_$*/verilated.o \
	  $(BUILD)/sim/obj_$*/verilated_threads.o $(addprefix $(BUILD)/sim/obj_$*/,$(SIM_EXTRA_OBJS_$*)) \
	  -o $@ -lpthread -Wl,--no-undefined

# Test registry: fragments add a NAME to TESTS, its command to TEST_CMD_NAME (no double
# quotes inside) and what it needs to TEST_DEPS. Built first, then run in listed order.
TESTS :=
TEST_DEPS :=

clean:
	rm -rf $(BUILD)

-include tests/rtl/rtl.mk
-include host/host.mk
-include tests/tests.mk
-include tests/fuzz/fuzz.mk

demo: check-gen $(BUILD)/sim/libsgpu_sim_default.so $(BUILD)/host/demo
	$(BUILD)/host/demo sim:

bench: check-gen $(BUILD)/sim/libsgpu_sim_default.so $(BUILD)/host/bench_teardown
	@mkdir -p $(BUILD)/bench
	$(BUILD)/host/bench_teardown --uri sim: --csv $(BUILD)/bench/teardown.csv --md $(BUILD)/bench/teardown.md
	$(MAKE) --no-print-directory bench-plot
	@echo; cat $(BUILD)/bench/teardown.md

test: check-gen $(TEST_DEPS)
	@BUILD=$(BUILD) tools/runtests.sh $(foreach t,$(TESTS),"$(t)=$(TEST_CMD_$(t))")
