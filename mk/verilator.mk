# mk/verilator.mk - every Verilated model, through one recipe. Included by the top Makefile,
# which defines BUILD, VERILATOR, VERILATOR_ROOT, CXX, JOBS, RTL_PKG, RTL_SRC, SIM_RTL_SRC and
# SIM_TOP; mk/deps.mk gives the check need-verilator.
#
# A Verilated thing NAME is a model (Verilator's C++ of a top module, compiled with the
# Verilator runtime in an object directory of its own) and what is linked from it: a program
# or a shared object. For each NAME in VERILATED:
#   VM_TOP_NAME    top module
#   VM_SRC_NAME    its SystemVerilog, packages first (the model rebuilds when one changes)
#   VM_FLAGS_NAME  Verilator options beyond VFLAGS (-G overrides, --coverage)
#   VM_DIR_NAME    the object directory
#   VM_RT_NAME     Verilator runtime objects beyond verilated.o verilated_threads.o
#   VM_DEFS_NAME   -D flags of every C++ file linked with the model (-DVM_COVERAGE=1)
#   VM_OUT_NAME    the file linked: a program, or a shared object (-shared in VM_LINK_NAME)
#   VM_MAIN_NAME   the C++ sources compiled into it      VM_HDRS_NAME  the headers they include
#   VM_LINK_NAME   its own compile and link flags
#   VM_MODEL_NAME  link the model of that other NAME instead of verilating one (tb_teardown)
# The recipe (`verilated` below) verilates into VM_DIR, builds the model's archive
# (VM_DIR/V<top>__ALL.a) and the runtime objects with Verilator's generated makefile, then
# compiles and links VM_OUT. The Verilator and link command lines are kept in VM_DIR/*.args, so
# a changed parameter or flag rebuilds that model and nothing else. Before the generated
# makefile runs, tools/prune_deps.sh drops its dependency files that name a file which is gone.
# Nothing here installs anything: without Verilator the build stops, naming what is missing
# and `make deps`.
#
# Shorthands, each a few variable lines (set them above the `$(eval)` at the end):
#   a model configuration of the simulated device (libsgpu_sim_C.so, "sim:C"):
#       SIM_MODELS += C
#       SIM_PARAMS_C := -GPageShift=... (and SIM_EXTRA_OBJS_C, SIM_CXXDEFS_C if it needs them)
#     (also SIM_CONFIGS += C to build it with `make sim`)
#   a block bench tests/rtl/tb_B.cpp -> $(BUILD)/tests/tb_B (mk/tests.mk runs it in make test):
#       TB_BLOCKS += B
#       TB_TOP_B := top_module
#       TB_SRC_B := rtl/.../x.sv ...
#       TB_PARAMS_B := -GX=1          (TB_HDRS_B: more headers tb_B.cpp includes)

.PHONY: FORCE
FORCE:

VFLAGS := -Wall --assert --x-assign unique --x-initial unique -O3 --threads 1 \
          -CFLAGS "-O2 -fPIC -std=c++17" -Isim
# the model's own C++, by Verilator's generated makefile
VM_MAKEFLAGS := VM_PARALLEL_BUILDS=1 OPT_FAST=-O2
# what is linked with a model
VM_CXXFLAGS = -O2 -std=c++17 -Isim -Ihost/include -I$(VERILATOR_ROOT)/include \
              -I$(VERILATOR_ROOT)/include/vltstd
VM_LDLIBS := -lpthread
VERILATED :=

# ---------------------------------------------------------------------------- the simulated device
# Model configurations: NAME -> Verilator -G overrides; each is $(BUILD)/sim/libsgpu_sim_NAME.so,
# which libsgpu's sim transport dlopens ("sim:NAME"). See docs/architecture.md.
SIM_CONFIGS := default small
SIM_MODELS := $(SIM_CONFIGS) smallcov
SIM_PARAMS_default := -GPageShift=12 -GNumFrames=20480 -GNumProcs=8 -GNumQueues=8 -GTlbEntries=8
# small: the randomized tests' device; its memory stalls at random and starts with garbage
# (MemZeroed=0: every frame is scrubbed before its first use, as on SPRAM or SDRAM).
SIM_PARAMS_small   := -GPageShift=8 -GNumFrames=64 -GNumProcs=4 -GNumQueues=4 -GTlbEntries=4 \
                      -GMemStallPct=20 -GMemExtraLat=3 -GMemSeed=7 -GMemZeroed=0
# smallcov: the small configuration with line (and branch) and functional coverage (make
# coverage). Not toggle coverage: with --coverage-toggle Verilator 5.006 builds a model that
# computes wrong values (QUERY of the device returns live_processes 255 with one process, where
# the same RTL without toggle coverage returns 1; found by the difftest on sim:smallcov).
SIM_PARAMS_smallcov := $(SIM_PARAMS_small) --coverage-line --coverage-user
SIM_EXTRA_OBJS_smallcov := verilated_cov.o
SIM_CXXDEFS_smallcov := -DVM_COVERAGE=1
SIM_LIBS = $(foreach c,$(SIM_CONFIGS),$(BUILD)/sim/libsgpu_sim_$(c).so)

define sim-model
VERILATED += sim_$1
VM_TOP_sim_$1 = $$(SIM_TOP)
VM_SRC_sim_$1 = $$(SIM_RTL_SRC)
VM_FLAGS_sim_$1 = $$(SIM_PARAMS_$1)
VM_RT_sim_$1 = $$(SIM_EXTRA_OBJS_$1)
VM_DEFS_sim_$1 = $$(SIM_CXXDEFS_$1)
VM_DIR_sim_$1 = $$(BUILD)/sim/obj_$1
VM_OUT_sim_$1 = $$(BUILD)/sim/libsgpu_sim_$1.so
VM_MAIN_sim_$1 := sim/sgpu_sim.cpp
VM_HDRS_sim_$1 := sim/sgpu_sim.h sim/sgpu_harness.h host/lib/sgpu_regs.h host/include/sgpu_codes.h
VM_LINK_sim_$1 := -shared -fPIC -DSGPU_SIM_CONFIG='"$1"' -Wl,--no-undefined
endef

# ---------------------------------------------------------------------------- RTL unit benches
# tb_teardown runs on the whole core in the small configuration (the objects of sim_small);
# tb_teardown_cov is the same bench on the coverage model (make coverage): it writes its counts
# on exit.
VERILATED += tb_teardown tb_teardown_cov
VM_MODEL_tb_teardown := sim_small
VM_OUT_tb_teardown = $(BUILD)/tests/tb_teardown
VM_MAIN_tb_teardown := tests/rtl/tb_teardown.cpp
VM_HDRS_tb_teardown := tests/rtl/tb_util.h sim/sgpu_harness.h host/lib/sgpu_regs.h \
                       host/include/sgpu_codes.h
VM_MODEL_tb_teardown_cov := sim_smallcov
VM_OUT_tb_teardown_cov = $(BUILD)/tests/tb_teardown_cov
VM_MAIN_tb_teardown_cov := $(VM_MAIN_tb_teardown)
VM_HDRS_tb_teardown_cov := $(VM_HDRS_tb_teardown)

# Block benches: NAME -> top module, sources and -G parameters; each verilates its own block.
TB_BLOCKS := alloc allocnz mmu xbar
TB_HDRS := tests/rtl/tb_util.h host/lib/sgpu_regs.h host/include/sgpu_codes.h
TB_TOP_alloc := sgpu_frame_alloc
TB_PARAMS_alloc := -GNumFrames=32 -GNumOwners=4
TB_SRC_alloc := rtl/mem/sgpu_frame_alloc.sv
TB_TOP_allocnz := sgpu_frame_alloc
TB_PARAMS_allocnz := -GNumFrames=32 -GNumOwners=4 -GMemZeroed=0
TB_SRC_allocnz := rtl/mem/sgpu_frame_alloc.sv
# tb_allocnz.cpp includes tb_alloc.cpp
TB_HDRS_allocnz := tests/rtl/tb_alloc.cpp
TB_TOP_mmu := sgpu_mmu_tb_top
TB_PARAMS_mmu :=
TB_SRC_mmu := $(RTL_PKG) rtl/common/sgpu_rr_arb.sv rtl/mmu/sgpu_walker.sv rtl/mmu/sgpu_tlb.sv \
  rtl/mmu/sgpu_mmu.sv rtl/mem/sgpu_mem_xbar.sv sim/rtl/sgpu_mem_sim.sv tests/rtl/sgpu_mmu_tb_top.sv
# The memory system: sgpu_mem_xbar in front of sgpu_mem_sim or sgpu_mem_bram (chosen at run
# time).
TB_TOP_xbar := sgpu_xbar_tb_top
TB_PARAMS_xbar :=
TB_SRC_xbar := $(RTL_PKG) rtl/common/sgpu_rr_arb.sv \
  rtl/mem/sgpu_mem_xbar.sv rtl/mem/sgpu_mem_bram.sv sim/rtl/sgpu_mem_sim.sv tests/rtl/sgpu_xbar_tb_top.sv

# The host link's UART (rtl/link/): tx -> rx loopback and rx against a bit stream drawn in C,
# at 4 cycles per bit and at 12 MHz / 115200 baud (625/6 cycles per bit); tb_uart4.cpp and
# tb_uartfrac.cpp are tb_uart.cpp on each model.
TB_BLOCKS += uart4 uartfrac
TB_UART_SRC := rtl/link/sgpu_uart_tick.sv rtl/link/sgpu_uart_tx.sv rtl/link/sgpu_uart_rx.sv \
  tests/rtl/sgpu_uart_tb_top.sv
TB_TOP_uart4 := sgpu_uart_tb_top
TB_PARAMS_uart4 := -GClksNum=4 -GClksDen=1
TB_SRC_uart4 := $(TB_UART_SRC)
TB_HDRS_uart4 := tests/rtl/tb_uart.cpp
TB_TOP_uartfrac := sgpu_uart_tb_top
TB_PARAMS_uartfrac := -GClksNum=625 -GClksDen=6
TB_SRC_uartfrac := $(TB_UART_SRC)
TB_HDRS_uartfrac := tests/rtl/tb_uart.cpp

# The Wishbone slave (rtl/link/sgpu_wb_slave.sv), pipelined and standard mode, in front of the
# whole simulated device in the small configuration and of the bench's register-bus model
# (tests/rtl/sgpu_wb_tb_top.sv; tests/rtl/tb_wb.cpp).
TB_BLOCKS += wb
TB_TOP_wb := sgpu_wb_tb_top
TB_PARAMS_wb :=
TB_SRC_wb := $(SIM_RTL_SRC) rtl/link/sgpu_wb_slave.sv tests/rtl/sgpu_wb_tb_top.sv

# The link bridge against the C reference bridge (tests/rtl/tb_link.cpp), which it links with
# the host's frame encoder (host/lib/link_proto.c), both compiled as C (mk/link.mk has the rule).
LINK_C_OBJS = $(BUILD)/tests/obj_link_c/bridge_ref.o $(BUILD)/tests/obj_link_c/link_proto.o
VERILATED += tb_link
VM_TOP_tb_link := sgpu_link_bridge
VM_SRC_tb_link = $(LINK_RTL_SRC)
VM_FLAGS_tb_link := -GAdminWaitLog2=8
VM_DIR_tb_link = $(BUILD)/tests/obj_link
VM_OUT_tb_link = $(BUILD)/tests/tb_link
VM_MAIN_tb_link = tests/rtl/tb_link.cpp $(LINK_C_OBJS)
VM_HDRS_tb_link := tests/rtl/tb_util.h tests/model/bridge_ref.h host/lib/link_proto.h \
                   host/lib/sgpu_link.h host/lib/sgpu_regs.h host/include/sgpu_codes.h
VM_LINK_tb_link := -Ihost/lib -Itests/model

define tb-block
VERILATED += tb_$1
VM_TOP_tb_$1 = $$(TB_TOP_$1)
VM_SRC_tb_$1 = $$(TB_SRC_$1)
VM_FLAGS_tb_$1 = $$(TB_PARAMS_$1)
VM_DIR_tb_$1 = $$(BUILD)/tests/obj_$1
VM_OUT_tb_$1 = $$(BUILD)/tests/tb_$1
VM_MAIN_tb_$1 := tests/rtl/tb_$1.cpp
VM_HDRS_tb_$1 = $$(TB_HDRS) $$(TB_HDRS_$1)
endef

# ---------------------------------------------------------------------------- the device with its link
# The simulated device behind the RTL host link (sim/rtl/link/sgpu_sim_link_top.sv: the device
# of a model configuration plus sgpu_link_uart on its register bus, reached through its UART
# pins): $(BUILD)/sim/libsgpu_simlink_C.so (sim/sgpu_simlink.h), which sgpu-sim --bridge rtl
# --model C loads. Same -G parameters as libsgpu_sim_C.so; the UART at 4 clock cycles per bit
# (12 MHz, 3 Mbaud, the iCEBreaker's rate; SIMLINK_PARAMS for another).
SIMLINK_CONFIGS := default small
SIMLINK_TOP := sgpu_sim_link_top
SIMLINK_RTL_SRC = $(SIM_RTL_SRC) $(filter-out $(RTL_PKG),$(LINK_RTL_SRC)) sim/rtl/link/sgpu_sim_link_top.sv
SIMLINK_PARAMS := -GClksNum=4 -GClksDen=1
SIMLINK_LIBS = $(foreach c,$(SIMLINK_CONFIGS),$(BUILD)/sim/libsgpu_simlink_$(c).so)

define simlink-model
VERILATED += simlink_$1
VM_TOP_simlink_$1 = $$(SIMLINK_TOP)
VM_SRC_simlink_$1 = $$(SIMLINK_RTL_SRC)
VM_FLAGS_simlink_$1 = $$(SIM_PARAMS_$1) $$(SIMLINK_PARAMS)
VM_DIR_simlink_$1 = $$(BUILD)/sim/obj_link_$1
VM_OUT_simlink_$1 = $$(BUILD)/sim/libsgpu_simlink_$1.so
VM_MAIN_simlink_$1 := sim/sgpu_simlink.cpp
VM_HDRS_simlink_$1 := sim/sgpu_simlink.h
VM_LINK_simlink_$1 := -shared -fPIC -DSGPU_SIM_CONFIG='"$1"' -Wl,--no-undefined
endef
$(foreach c,$(SIMLINK_CONFIGS),$(eval $(call simlink-model,$c)))

# ---------------------------------------------------------------------------- a board's top
# A board's top as sgpu-sim --bridge rtl --model BOARD serves it (mk/boards.mk tests it): its
# simulation wrapper sim/rtl/board/sgpu_BOARD_sim.sv (the ports of sgpu_sim_link_top around the
# exact boards/BOARD/top.sv, with simulation models of the FPGA primitives in sim/rtl/board/)
# -> $(BUILD)/sim/libsgpu_simlink_BOARD.so, through sim/sgpu_simlink.cpp. Its parameters are
# the bitstream's: params.mk's TOP_PARAMS, read from the board's Makefile (print-TOP_PARAMS).
# BOARD_SIM_SRC_BOARD: more RTL the top needs (a generated controller, chip models).
BOARD_SIMS := icebreaker
board-params = $(shell MAKEFLAGS= $(MAKE) -s --no-print-directory -C boards/$1 print-TOP_PARAMS 2>/dev/null)
BOARD_SIM_RTL = $(RTL_SRC) $(filter-out $(RTL_PKG),$(LINK_RTL_SRC)) boards/$1/top.sv \
  $(BOARD_SIM_SRC_$1) $(sort $(wildcard sim/rtl/board/SB_*.sv)) sim/rtl/board/sgpu_$1_sim.sv
define board-model
BOARD_PARAMS_$1 := $$(call board-params,$1)
VERILATED += simlink_$1
VM_TOP_simlink_$1 = sgpu_$1_sim
VM_SRC_simlink_$1 = $$(call BOARD_SIM_RTL,$1)
VM_FLAGS_simlink_$1 = $$(addprefix -G,$$(BOARD_PARAMS_$1))
VM_DIR_simlink_$1 = $$(BUILD)/sim/obj_board_$1
VM_OUT_simlink_$1 = $$(BUILD)/sim/libsgpu_simlink_$1.so
VM_MAIN_simlink_$1 := sim/sgpu_simlink.cpp
VM_HDRS_simlink_$1 := sim/sgpu_simlink.h
VM_LINK_simlink_$1 := -shared -fPIC -DSGPU_SIM_CONFIG='"$1"' -DSGPU_SIMLINK_TOP=Vsgpu_$1_sim \
  -DSGPU_SIMLINK_HDR='"Vsgpu_$1_sim.h"' -Wl,--no-undefined
endef
$(foreach b,$(BOARD_SIMS),$(eval $(call board-model,$b)))

# A board's synthesized netlist for the post-synthesis test (mk/boards.mk): build/BOARD/netlist.v
# (the board flow's synthesis, `make -C boards/BOARD netlist`) with Yosys's own cell models
# (build/BOARD/cells_sim.v) behind sim/rtl/board/sgpu_BOARD_netlist_sim.sv (the same ports) ->
# $(BUILD)/sim/libsgpu_simlink_BOARD_netlist.so. Yosys's models are not written for Verilator's
# lint (port defaults off: NO_ICE40_DEFAULT_ASSIGNMENTS; the netlist's bit-level nets look
# circular to it: UNOPTFLAT), so its warnings are not fatal for this model alone.
BOARD_NETLISTS := icebreaker
board-clks = $(shell echo $$(( $(patsubst CoreMHz=%,%,$(filter CoreMHz=%,$(BOARD_PARAMS_$1))) / 3 )))
define netlist-model
VERILATED += simlink_$1_netlist
VM_TOP_simlink_$1_netlist = sgpu_$1_netlist_sim
VM_SRC_simlink_$1_netlist = sim/rtl/board/sgpu_$1_netlist_sim.sv build/$1/netlist.v build/$1/cells_sim.v
VM_FLAGS_simlink_$1_netlist = -Wno-fatal -Wno-lint -Wno-style -Wno-UNOPTFLAT -Wno-TIMESCALEMOD \
  -DNO_ICE40_DEFAULT_ASSIGNMENTS -GClksNum=$$(call board-clks,$1)
VM_DIR_simlink_$1_netlist = $$(BUILD)/sim/obj_netlist_$1
VM_OUT_simlink_$1_netlist = $$(BUILD)/sim/libsgpu_simlink_$1_netlist.so
VM_MAIN_simlink_$1_netlist := sim/sgpu_simlink.cpp
VM_HDRS_simlink_$1_netlist := sim/sgpu_simlink.h
VM_LINK_simlink_$1_netlist := -shared -fPIC -DSGPU_SIM_CONFIG='"$1_netlist"' \
  -DSGPU_SIMLINK_TOP=Vsgpu_$1_netlist_sim -DSGPU_SIMLINK_HDR='"Vsgpu_$1_netlist_sim.h"' \
  -Wl,--no-undefined
build/$1/netlist.v build/$1/cells_sim.v: FORCE | deps-formal
	@MAKEFLAGS= $$(MAKE) --no-print-directory -C boards/$1 netlist
endef
$(foreach b,$(BOARD_NETLISTS),$(eval $(call netlist-model,$b)))

# ---------------------------------------------------------------------------- the one recipe
vm-model = $(or $(VM_MODEL_$1),$1)
vm-lib = $(VM_DIR_$1)/V$(VM_TOP_$1)__ALL.a
vm-objs = $(call vm-lib,$1) $(addprefix $(VM_DIR_$1)/,verilated.o verilated_threads.o $(VM_RT_$1))
vm-verilate = $(VERILATOR) --cc $(VFLAGS) $(VM_FLAGS_$1) --top-module $(VM_TOP_$1) \
  --prefix V$(VM_TOP_$1) -Mdir $(VM_DIR_$1) $(VM_SRC_$1)
vm-link = $(CXX) $(VM_CXXFLAGS) $(VM_DEFS_$(call vm-model,$1)) $(VM_LINK_$1) \
  -I$(VM_DIR_$(call vm-model,$1)) $(VM_MAIN_$1) $(call vm-objs,$(call vm-model,$1)) \
  -o $(VM_OUT_$1) $(VM_LDLIBS)
vm-sq = '$(subst ','\'',$1)'
# $(call vm-args,FILE,TEXT): rewrite FILE only when TEXT changed (it is a prerequisite)
vm-args = printf '%s\n' $(call vm-sq,$2) | cmp -s - $1 || printf '%s\n' $(call vm-sq,$2) > $1

# The model of NAME (only for a NAME without VM_MODEL_NAME), then what NAME links.
define verilated
ifeq ($$(VM_MODEL_$1),)
$(call vm-lib,$1): $(VM_SRC_$1) $(VM_DIR_$1)/verilator.args | need-verilator
	$$(call vm-verilate,$1)
	@tools/prune_deps.sh $(VM_DIR_$1)
	$$(MAKE) -s -C $(VM_DIR_$1) -f V$(VM_TOP_$1).mk -j$$(JOBS) V$(VM_TOP_$1)__ALL.a \
	  verilated.o verilated_threads.o $$(VM_RT_$1) $$(VM_MAKEFLAGS)
	@touch $$@
$(VM_DIR_$1)/verilator.args: FORCE
	@mkdir -p $$(@D)
	@$$(call vm-args,$$@,$$(call vm-verilate,$1) | $$(VM_MAKEFLAGS) $$(VM_RT_$1))
endif
$(VM_OUT_$1): $(VM_MAIN_$1) $(VM_HDRS_$1) $(call vm-lib,$(call vm-model,$1)) \
              $(VM_DIR_$(call vm-model,$1))/link-$1.args | need-verilator
	@mkdir -p $$(@D)
	$$(call vm-link,$1)
$(VM_DIR_$(call vm-model,$1))/link-$1.args: FORCE
	@mkdir -p $$(@D)
	@$$(call vm-args,$$@,$$(call vm-link,$1))
endef

$(foreach c,$(SIM_MODELS),$(eval $(call sim-model,$c)))
$(foreach b,$(TB_BLOCKS),$(eval $(call tb-block,$b)))
$(foreach n,$(VERILATED),$(eval $(call verilated,$n)))
