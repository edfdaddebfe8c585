# mk/ulx3s.mk - the ULX3S board (ECP5, device memory in its SDRAM through LiteDRAM): the
# controller's generation, the SDRAM path's bench, the board's flow. Included by the top
# Makefile after mk/tests.mk and mk/link.mk (BUILD, TESTS, TEST_DEPS, LINK_RTL_SRC, COSIM_*).
#
#   make litedram-gen    regenerate boards/ulx3s/litedram_core.v and litedram_csr.csv from
#                        boards/ulx3s/litedram.yml with the pinned LiteDRAM (tools/gen_litedram.sh;
#                        needs `tools/venv.sh ecp5`, which `make deps-ecp5` runs)
#   make deps-ecp5       install the 'ecp5' venv set (tools/requirements-ecp5.txt); deps-test
#                        runs it too
#   make ulx3s-sim       the co-simulation libraries of the board top (below)
#   make -C boards/ulx3s the bitstream (boards/ecp5.mk; `prog` loads it)
.PHONY: litedram-gen deps-ecp5

deps-ecp5:
	@tools/deps.sh venv
	@tools/venv.sh ecp5
# `make test` runs litedram_gen and ulx3s_flow, which need the set
deps-test: deps-ecp5
litedram-gen: deps-ecp5
	tools/gen_litedram.sh

# the checked-in controller matches its configuration and the pinned generator
TESTS += litedram_gen
TEST_CMD_litedram_gen := tools/gen_litedram.sh --check

# ---------------------------------------------------------------- the SDRAM path's bench
# tests/rtl/tb_sdram.cpp on tests/rtl/sgpu_sdram_tb_top.sv: sgpu_mem_sdram + the generated
# LiteDRAM controller (its ECP5 I/O primitives as sim/rtl/board/ stand-ins) + sgpu_sdram_init
# against the chip model sim/rtl/board/sgpu_sdram_model.sv. tb_sdrambad: the same with a chip
# model slower than the controller was generated for (tRCD 45 ns, 3 cycles): the chip model's
# checks must fire.
SDRAM_PRIM_SRC := sim/rtl/board/EHXPLLL.sv sim/rtl/board/ODDRX1F.sv sim/rtl/board/OFS1P3BX.sv \
  sim/rtl/board/IFS1P3BX.sv sim/rtl/board/FD1S3BX.sv sim/rtl/board/TRELLIS_IO.sv
SDRAM_TB_SRC := sim/rtl/board/litedram_core.vlt $(RTL_PKG) rtl/mem/sgpu_mem_sdram.sv \
  rtl/mem/sgpu_sdram_init.sv boards/ulx3s/litedram_csr_pkg.sv boards/ulx3s/litedram_core.v $(SDRAM_PRIM_SRC) \
  sim/rtl/board/sgpu_sdram_model.sv tests/rtl/sgpu_sdram_tb_top.sv
define ulx3s-sdram-tb
VERILATED += tb_$1
VM_TOP_tb_$1 := sgpu_sdram_tb_top
VM_SRC_tb_$1 = $$(SDRAM_TB_SRC)
VM_FLAGS_tb_$1 := $2
VM_DIR_tb_$1 = $$(BUILD)/tests/obj_$1
VM_OUT_tb_$1 = $$(BUILD)/tests/tb_$1
VM_MAIN_tb_$1 := tests/rtl/tb_sdram.cpp
VM_HDRS_tb_$1 := $$(TB_HDRS)
endef
$(eval $(call ulx3s-sdram-tb,sdram,))
$(eval $(call ulx3s-sdram-tb,sdrambad,-GModelTRcdNs=45))
$(eval $(call verilated,tb_sdram))
$(eval $(call verilated,tb_sdrambad))

TESTS += tb_sdram tb_sdrambad
TEST_CMD_tb_sdram := $(VM_OUT_tb_sdram)
TEST_CMD_tb_sdrambad := $(VM_OUT_tb_sdrambad) --ops 3000 --expect-violations
TEST_DEPS += $(VM_OUT_tb_sdram) $(VM_OUT_tb_sdrambad)

# ---------------------------------------------------------------- the board top, co-simulated
# $(BUILD)/sim/libsgpu_simlink_ulx3s.so: the exact board top (boards/ulx3s/top.sv) in
# sim/rtl/board/sgpu_ulx3s_sim.sv (the PLL and I/O stand-ins, the SDRAM chip model on its
# SDRAM pins), served by sgpu-sim --bridge rtl --model ulx3s over pty through its UART pins.
# sim/sgpu_simlink.cpp is written against the class Vsgpu_sim_link_top: the model is
# verilated under that prefix (the wrapper has the same ports), so the library is built
# unchanged. Its own rule: the shared recipe (mk/verilator.mk) names the prefix after the top.
ULX3S_SIM_SRC := sim/rtl/board/litedram_core.vlt $(RTL_SRC) $(LINK_RTL_PKG) \
  $(filter-out $(LINK_RTL_PKG) rtl/gen/sgpu_regs_pkg.sv,$(LINK_RTL_SRC)) \
  boards/ulx3s/litedram_csr_pkg.sv boards/ulx3s/litedram_core.v $(SDRAM_PRIM_SRC) \
  sim/rtl/board/sgpu_sdram_model.sv boards/ulx3s/top.sv sim/rtl/board/sgpu_ulx3s_sim.sv
# Two libraries: ulx3s, the board as built (the UART at 25 cycles a bit), and ulx3s4, the same
# top with its UartClksNum parameter at 4 (no other difference): the link is nearly all of a
# scenario's simulated cycles, so the lifecycle scenario runs ~5 x faster on it.
ULX3S_SIM_LIB = $(BUILD)/sim/libsgpu_simlink_ulx3s.so
ULX3S4_SIM_LIB = $(BUILD)/sim/libsgpu_simlink_ulx3s4.so
define ulx3s-simlink
$$(BUILD)/sim/obj_link_$1/Vsgpu_sim_link_top__ALL.a: $$(ULX3S_SIM_SRC) mk/ulx3s.mk | need-verilator
	@mkdir -p $$(@D)
	$$(VERILATOR) --cc $$(VFLAGS) $2 --top-module sgpu_ulx3s_sim --prefix Vsgpu_sim_link_top \
	  -Mdir $$(@D) $$(ULX3S_SIM_SRC)
	@tools/prune_deps.sh $$(@D)
	$$(MAKE) -s -C $$(@D) -f Vsgpu_sim_link_top.mk -j$$(JOBS) Vsgpu_sim_link_top__ALL.a \
	  verilated.o verilated_threads.o $$(VM_MAKEFLAGS)
	@touch $$@
$$(BUILD)/sim/libsgpu_simlink_$1.so: sim/sgpu_simlink.cpp sim/sgpu_simlink.h \
                                     $$(BUILD)/sim/obj_link_$1/Vsgpu_sim_link_top__ALL.a
	$$(CXX) $$(VM_CXXFLAGS) -shared -fPIC -DSGPU_SIM_CONFIG='"$1"' -Wl,--no-undefined \
	  -I$$(BUILD)/sim/obj_link_$1 sim/sgpu_simlink.cpp $$(BUILD)/sim/obj_link_$1/Vsgpu_sim_link_top__ALL.a \
	  $$(BUILD)/sim/obj_link_$1/verilated.o $$(BUILD)/sim/obj_link_$1/verilated_threads.o -o $$@ $$(VM_LDLIBS)
endef
$(eval $(call ulx3s-simlink,ulx3s,))
$(eval $(call ulx3s-simlink,ulx3s4,-GUartClksNum=4))
.PHONY: ulx3s-sim
ulx3s-sim: $(ULX3S_SIM_LIB) $(ULX3S4_SIM_LIB)

# ---------------------------------------------------------------- tests
# ulx3s_lint: the board top (with the simulation stand-ins), its co-simulation wrapper, the
# adapter, the sequencer and the chip model lint clean (-Wall; the generated controller's own
# warnings are waived in sim/rtl/board/litedram_core.vlt).
# ulx3s_flow: the board's flow to a bitstream (boards/ecp5.mk: fails on a latch, a multiple
# driver, a loop, an undriven net, missed timing or a design that does not fit); about 2.5 min.
# cosim-info-ulx3s-rtl: `sgpu info` against the board top as built, over pty (8192 frames of
# 4 KiB, the link at the board's 25 cycles a bit).
# cosim-scen-ulx3s-rtl: the lifecycle scenario (eager, host-driven, deferred) against the top
# with the link at 4 cycles a bit (ulx3s4), through the real LiteDRAM controller and the chip
# model on its SDRAM pins (a violation stops the simulation).
TESTS += ulx3s_lint ulx3s_flow cosim-info-ulx3s-rtl cosim-scen-ulx3s-rtl
TEST_CMD_ulx3s_lint := $(VERILATOR) --lint-only -Wall --top-module sgpu_ulx3s_sim $(ULX3S_SIM_SRC) && \
  echo lint clean: the ULX3S top, its co-simulation wrapper, the SDRAM path
TEST_CMD_ulx3s_flow := MAKEFLAGS= $(MAKE) --no-print-directory -C boards/ulx3s
TEST_DEPS += $(ULX3S_SIM_LIB) $(ULX3S4_SIM_LIB) $(SGPU_SIMSRV) $(SGPU_CLI) $(COSIM_OUT)/scenarios
TEST_CMD_cosim-info-ulx3s-rtl := $(COSIM_ENV) bash tests/cosim/over_link.sh $(SGPU_SIMSRV) \
  '--bridge rtl --model ulx3s --pty' $(SGPU_CLI) --uri @URI@ info
TEST_CMD_cosim-scen-ulx3s-rtl := $(COSIM_ENV) bash tests/cosim/over_link.sh $(SGPU_SIMSRV) \
  '--bridge rtl --model ulx3s4 --pty' $(COSIM_OUT)/scenarios --uri @URI@ --full lifecycle
# ulx3sbad: the wrapper's chip model slower than the controller (tRCD 45 ns): its assertion
# must stop the simulation (tried by hand: make build/sim/libsgpu_simlink_ulx3sbad.so, then
# `sgpu info` over it fails with the chip model's report; NOTES.md)
$(eval $(call ulx3s-simlink,ulx3sbad,-GUartClksNum=4 -GChipTRcdNs=45))
