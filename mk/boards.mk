# mk/boards.mk - the boards in `make test`. Included by the top Makefile after mk/tests.mk
# (TESTS, TEST_CMD_*, TEST_DEPS; the models come from mk/verilator.mk: BOARD_SIMS, the board
# tops as sgpu-sim serves them; BOARD_NETLISTS, their synthesized netlists). Per board:
#   board_BOARD             the board's flow to a bitstream (boards/common.mk): fails when the
#                           design stops fitting, misses its clock, or a memory is not mapped as
#                           params.mk's EXPECT says; the table and build/BOARD/report.json
#   board_BOARD_sim_lint    the simulated top (sim/rtl/board/sgpu_BOARD_sim.sv around
#                           boards/BOARD/top.sv) lints clean with the bitstream's parameters
#   cosim-scen-BOARD-rtl    the lifecycle and no-residue scenarios (EAGER, DEFERRED, host-driven)
#   cosim-diff-BOARD-rtl    the differential test, 600 operations
#                           both through the board top's UART pins, served by sgpu-sim over pty
#                           (tests/cosim/over_link.sh: no byte lost on either UART)
#   postsynth-BOARD         the synthesized netlist against the RTL top, cycle by cycle, on a
#                           lifecycle driven by the sgpu tool (tests/boards/postsynth.sh)
BOARD_TESTS := icebreaker
TRACE_REPLAY := $(BUILD)/tests/trace_replay

$(TRACE_REPLAY): tests/boards/trace_replay.c sim/sgpu_simlink.h
	@mkdir -p $(@D)
	$(CC) $(SGPU_CFLAGS) -Isim $< -o $@ -ldl

define board-tests
TESTS += board_$1 board_$1_sim_lint cosim-scen-$1-rtl cosim-diff-$1-rtl postsynth-$1
TEST_CMD_board_$1 := MAKEFLAGS= $$(MAKE) --no-print-directory -C boards/$1
TEST_CMD_board_$1_sim_lint := $$(VERILATOR) --lint-only -Wall --top-module sgpu_$1_sim \
  $$(VM_FLAGS_simlink_$1) $$(VM_SRC_simlink_$1) && echo lint clean: sgpu_$1_sim, $$(BOARD_PARAMS_$1)
TEST_CMD_cosim-scen-$1-rtl := $$(COSIM_ENV) bash tests/cosim/over_link.sh $$(SGPU_SIMSRV) \
  '--bridge rtl --model $1 --pty' $$(COSIM_OUT)/scenarios --uri @URI@ --full lifecycle no_residue
TEST_CMD_cosim-diff-$1-rtl := $$(COSIM_ENV) bash tests/cosim/over_link.sh $$(SGPU_SIMSRV) \
  '--bridge rtl --model $1 --pty' $$(COSIM_OUT)/difftest --uri @URI@ --seed $$(COSIM_SEED) --ops 600
TEST_CMD_postsynth-$1 := $$(COSIM_ENV) bash tests/boards/postsynth.sh $$(SGPU_CLI) $$(SGPU_SIMSRV) \
  $1 $$(abspath $$(VM_OUT_simlink_$1_netlist)) $$(TRACE_REPLAY) $$(BUILD)/tests/postsynth-$1
TEST_DEPS += $$(VM_OUT_simlink_$1) $$(VM_OUT_simlink_$1_netlist) $$(TRACE_REPLAY) \
  $$(COSIM_OUT)/scenarios $$(COSIM_OUT)/difftest $$(SGPU_SIMSRV) $$(SGPU_CLI)
endef
$(foreach b,$(BOARD_TESTS),$(eval $(call board-tests,$b)))

# The udev rules for the boards' FTDI chips (boards/99-sgpu-ftdi.rules): well formed, and a rule
# for every usb:VID:PID the sgpu tool documents.
TESTS += udev_rules
TEST_CMD_udev_rules := bash tests/boards/udev_rules.sh boards/99-sgpu-ftdi.rules $(SGPU_CLI)
