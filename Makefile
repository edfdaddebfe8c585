# sgpu top-level Makefile.
#   make demo      install what is missing (make deps), build, run the co-simulated demo: in
#                  process (sim:), then over pty: through sgpu-sim with the RTL link bridge
#   make test      install what is missing (make deps-test), build, run the whole suite;
#                  ends with "N passed, N failed" (TESTS="a b" runs some; TEST_DEPS= builds nothing)
#   make bench     teardown benchmark, in process and over the RTL link
#                  -> build/bench/teardown.{csv,md,png} (BENCH_LINK_MAX_PAGES=)
#   make formal    SymbiYosys proofs (tests/formal/*.sby), a table of results (FORMAL_ARGS=)
#   make synth     the synthesis gates: the core through Yosys for iCE40 and ECP5 (SYNTH_CONFIGS=),
#                  then the host link (UART + bridge, tools/synth_link.sh)
#   make synth BOARD=icebreaker   a board's bitstream: synthesis, place and route, packing,
#                  build/BOARD/report.json (boards/common.mk; BOARDS lists the boards)
#   make prog BOARD=icebreaker [FLASH=1]   program it with openFPGALoader (SRAM, or flash)
#   make soak      differential test, >= 1 M operations over several seeds (SEEDS=, OPS=)
#   make coverage  line and functional coverage of rtl/ from the RTL tests
#   make fuzz      the admin-command fuzzer for FUZZ_TIME seconds (30)
#   make lint      verilator --lint-only -Wall on the RTL
#   make gen       regenerate rtl/gen, host/include/sgpu_codes.h, host/lib/sgpu_regs.h, docs/registers.md
#                  (tools/regmap.py) and host/lib/sgpu_link.h, rtl/gen/sgpu_link_pkg.sv (tools/linkmap.py)
#   make sim       the Verilated models build/sim/libsgpu_sim_{default,small}.so (installs nothing)
#   make host      libsgpu, the sgpu tool and sgpu-sim in build/host (installs nothing)
#   make deps      install the Debian packages every build needs (apt-get, only what is missing)
#   make deps-test deps, and what make test adds (Debian packages; Yosys and z3 into .venv)
#   make clean     remove build/
#   make help      this text
# Only the targets above that run something install (each runs its deps step first; mk/deps.mk);
# a build (make sim, make build/tests/tb_mmu, ...) stops, naming what is missing and the
# target that installs it. The rules are in mk/, by role: deps.mk (installing), verilator.mk
# (every Verilated model, one recipe), host.mk, formal.mk, synth.mk, tests.mk (the test
# registry), fuzz.mk.

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
# The host link (rtl/link/ and its generated package) is not part of the core: a board top
# puts it beside the core; mk/link.mk lints, tests and synthesizes it on its own.
LINK_RTL_PKG := rtl/gen/sgpu_link_pkg.sv rtl/gen/sgpu_link_ucode_pkg.sv
RTL_SRC := $(RTL_PKG) $(sort $(filter-out $(RTL_PKG) $(LINK_RTL_PKG) rtl/link/%,$(wildcard rtl/*/*.sv)))
RTL_TOP := sgpu_core
# The host link: the register map's package (the bus it masters), its own, its modules.
LINK_RTL_SRC := rtl/gen/sgpu_regs_pkg.sv $(LINK_RTL_PKG) $(sort $(wildcard rtl/link/*.sv))
# The simulated device (what the models and the RTL benches build): the core plus sim/rtl/.
SIM_RTL_SRC := $(RTL_SRC) $(sort $(wildcard sim/rtl/*.sv))
SIM_TOP := sgpu_sim_top

# Test registry: fragments add a NAME to TESTS, its command to TEST_CMD_NAME (no double
# quotes inside) and what it needs to TEST_DEPS. Built first, then run in listed order.
TESTS :=
TEST_DEPS :=

include mk/deps.mk
include mk/verilator.mk
include mk/host.mk
include mk/formal.mk
include mk/synth.mk
include mk/tests.mk
include mk/fuzz.mk
include mk/link.mk
include mk/boards.mk
include mk/ulx3s.mk

.PHONY: help deps deps-test gen check-gen lint sim host demo test bench synth prog clean formal \
        soak coverage
help:
	@sed -n '2,/^$$/p' Makefile | sed -e 's/^# \{0,1\}//' -e '/^$$/d'

# The explicit install steps (mk/deps.mk has the others: deps-formal, deps-plot, deps-fuzz).
deps:
	@tools/deps.sh base

deps-test:
	@tools/deps.sh test
	@tools/venv.sh formal

gen:
	$(PYTHON) tools/regmap.py
	$(PYTHON) tools/linkmap.py
	$(PYTHON) tools/link_ucode.py

check-gen:
	$(PYTHON) tools/regmap.py --check
	$(PYTHON) tools/linkmap.py --check
	$(PYTHON) tools/link_ucode.py --check

lint: deps
	$(VERILATOR) --lint-only -Wall --top-module $(RTL_TOP) $(RTL_SRC)

sim: $(SIM_LIBS)

host: $(SGPU_LIB_A) $(SGPU_LIB_SO) $(SGPU_CLI) $(SGPU_SIMSRV) $(SGPU_PC)

clean:
	rm -rf $(BUILD)

# Each target below installs first (its deps step), then builds its NAME-build target in a
# second make, so that nothing is built before what it needs is installed, also under make -j.
# `make NAME-build` builds alone (installing nothing).
.PHONY: demo-build test-build bench-build soak-build coverage-build
demo-build: check-gen $(BUILD)/sim/libsgpu_sim_default.so $(BUILD)/host/demo \
            $(BUILD)/sim/libsgpu_simlink_default.so $(SGPU_SIMSRV)
	@:
test-build: check-gen $(TEST_DEPS)
	@:
bench-build: check-gen $(BUILD)/sim/libsgpu_sim_default.so $(BUILD)/host/bench_teardown \
             $(BUILD)/sim/libsgpu_simlink_default.so $(SGPU_SIMSRV)
	@:
soak-build: check-gen $(BUILD)/sim/libsgpu_sim_small.so $(BUILD)/tests/cosim/difftest
	@:
coverage-build: check-gen $(BUILD)/sim/libsgpu_sim_smallcov.so $(BUILD)/tests/tb_teardown_cov \
                $(BUILD)/tests/cosim/difftest $(BUILD)/tests/cosim/scenarios $(BUILD)/tests/cosim/engines
	@:

# The demo twice: the core in process (sim:), then the same lifecycle through the host link as
# a board has it, sgpu-sim --bridge rtl (the default configuration with the RTL UART and link
# bridge, bit-timed pins at 3 Mbaud) served on a pseudo-terminal (tests/cosim/over_link.sh).
demo: deps
	@$(MAKE) --no-print-directory demo-build
	$(BUILD)/host/demo sim:
	@echo; echo "-- the same over pty:, the RTL link bridge in the loop (sgpu-sim --bridge rtl):"
	@SGPU_SIM_DIR=$(abspath $(BUILD))/sim bash tests/cosim/over_link.sh $(SGPU_SIMSRV) \
	  '--bridge rtl --model default --pty' $(BUILD)/host/demo @URI@

test: deps-test
	@$(MAKE) --no-print-directory test-build
	@BUILD=$(BUILD) tools/runtests.sh $(foreach t,$(TESTS),"$(t)=$(TEST_CMD_$(t))")

# make bench: the teardown benchmark in process (sim:, pages 1..16384) and over pty: through
# sgpu-sim --bridge rtl (pages 1..BENCH_LINK_MAX_PAGES; the link run's setup, one MAP per page
# on the sparse layout, is what takes its time: about 15 minutes at 16384 here).
BENCH_LINK_MAX_PAGES ?= 16384
bench: deps deps-plot
	@$(MAKE) --no-print-directory bench-build
	@mkdir -p $(BUILD)/bench
	$(BUILD)/host/bench_teardown --uri sim: --csv $(BUILD)/bench/teardown_sim.csv \
	  --md $(BUILD)/bench/teardown_sim.md
	@echo; echo "-- the same over pty:, the RTL UART and link bridge in the loop at 3 Mbaud, 12 MHz:"
	@SGPU_SIM_DIR=$(abspath $(BUILD))/sim bash tests/cosim/over_link.sh $(SGPU_SIMSRV) \
	  '--bridge rtl --model default --pty --clock-hz 0' $(BUILD)/host/bench_teardown --uri @URI@ \
	  --max-pages $(BENCH_LINK_MAX_PAGES) --clock-mhz 12 --csv $(BUILD)/bench/teardown_pty.csv \
	  --md $(BUILD)/bench/teardown_pty.md
	@{ cat $(BUILD)/bench/teardown_sim.csv; tail -n +2 $(BUILD)/bench/teardown_pty.csv; } \
	  > $(BUILD)/bench/teardown.csv
	@{ echo "## In process (sim:)"; echo; cat $(BUILD)/bench/teardown_sim.md; echo; \
	  echo "## Over pty: with the RTL link bridge (sgpu-sim --bridge rtl, 3 Mbaud at 12 MHz)"; \
	  echo; cat $(BUILD)/bench/teardown_pty.md; } > $(BUILD)/bench/teardown.md
	$(MAKE) --no-print-directory bench-plot
	@echo; cat $(BUILD)/bench/teardown.md

formal: deps-formal
	$(FORMAL_CMD) $(FORMAL_ARGS)

# the core's gate, then the host link's (UART + bridge within its 600 SB_LUT4 at 3 Mbaud);
# with BOARD=, that board's flow instead (boards/common.mk)
BOARDS := $(patsubst boards/%/Makefile,%,$(wildcard boards/*/Makefile))
synth: $(if $(BOARD),deps-boards,deps-formal)
ifeq ($(BOARD),)
	$(SYNTH_CMD) $(SYNTH_CONFIGS)
	$(LINK_SYNTH_CMD)
else
	@[ -f boards/$(BOARD)/Makefile ] || { echo "synth: no board '$(BOARD)' (boards: $(BOARDS))" >&2; exit 2; }
	MAKEFLAGS= $(MAKE) --no-print-directory -C boards/$(BOARD)
endif

prog: deps-boards
	@[ -n "$(BOARD)" ] && [ -f boards/$(BOARD)/Makefile ] || { echo "prog: say which board: make prog BOARD=NAME (boards: $(BOARDS))" >&2; exit 2; }
	MAKEFLAGS= $(MAKE) --no-print-directory -C boards/$(BOARD) prog $(if $(FLASH),FLASH=1)

soak: deps
	@$(MAKE) --no-print-directory soak-build
	BUILD=$(BUILD) tools/soak.sh

coverage: deps
	@$(MAKE) --no-print-directory coverage-build
	BUILD=$(BUILD) tools/coverage.sh
