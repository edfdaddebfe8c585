# mk/link.mk - the host link's RTL (rtl/link/, rtl/gen/sgpu_link_pkg.sv): lint, the bridge's
# bench against the C reference bridge, its area. Included by the top Makefile after
# mk/tests.mk (LINK_RTL_SRC, VM_OUT_*, SGPU_CFLAGS, TESTS, TEST_DEPS). The UART benches are
# block benches (TB_BLOCKS uart4, uartfrac in mk/verilator.mk); the bridge's proof is
# tests/formal/link_bridge.sby (run by the `formal` test with the others).
#
#   make link-lint   verilator --lint-only -Wall on the UART and the bridge (also `make lint`)
#   make link-synth  the bridge and the UART through synth_ice40: SB_LUT4 and FF counts
#                    (tools/synth_link.sh; budget: UART + bridge at 3 Mbaud within 600 SB_LUT4,
#                    enforced)
.PHONY: link-lint link-synth

LINK_LINT_CMD := $(VERILATOR) --lint-only -Wall --top-module sgpu_link_bridge $(LINK_RTL_SRC) && \
  $(VERILATOR) --lint-only -Wall --top-module sgpu_uart_tx $(LINK_RTL_SRC) && \
  $(VERILATOR) --lint-only -Wall --top-module sgpu_uart_rx $(LINK_RTL_SRC) && \
  $(VERILATOR) --lint-only -Wall --top-module sgpu_uart_rx -GClksNum=625 -GClksDen=6 $(LINK_RTL_SRC) && \
  $(VERILATOR) --lint-only -Wall --top-module sgpu_uart_tb_top $(LINK_RTL_SRC) tests/rtl/sgpu_uart_tb_top.sv && \
  echo lint clean: the link bridge, the UART
link-lint: need-verilator
	@$(LINK_LINT_CMD)
lint: link-lint

LINK_SYNTH_CMD = BUILD=$(BUILD) tools/synth_link.sh
link-synth: deps-formal
	$(LINK_SYNTH_CMD)

$(BUILD)/tests/obj_link_c/%.o: mk/link.mk host/lib/link_proto.h host/lib/sgpu_link.h \
                               host/lib/sgpu_regs.h host/include/sgpu_codes.h tests/model/bridge_ref.h
$(BUILD)/tests/obj_link_c/bridge_ref.o: tests/model/bridge_ref.c
$(BUILD)/tests/obj_link_c/link_proto.o: host/lib/link_proto.c
$(LINK_C_OBJS):
	@mkdir -p $(@D)
	$(CC) $(SGPU_CFLAGS) -Ihost/lib -Itests/model -c $(filter %.c,$^) -o $@

TESTS += link_lint tb_link link_synth
TEST_CMD_link_lint := $(LINK_LINT_CMD)
TEST_CMD_tb_link := $(VM_OUT_tb_link)
TEST_CMD_link_synth := $(LINK_SYNTH_CMD)
TEST_DEPS += $(VM_OUT_tb_link)

# The Wishbone slave (rtl/link/sgpu_wb_slave.sv, not part of the UART link): lint in both
# modes and without upper address bits (also `make lint`). Its bench is tb_wb (TB_BLOCKS in
# mk/verilator.mk: the slave in front of the whole simulated device), its proof
# tests/formal/wb_slave.sby (the `formal` test), its area the `wb` line of tools/synth_link.sh.
WB_LINT_SRC := rtl/gen/sgpu_regs_pkg.sv rtl/link/sgpu_wb_slave.sv
WB_LINT_CMD := $(VERILATOR) --lint-only -Wall --top-module sgpu_wb_slave $(WB_LINT_SRC) && \
  $(VERILATOR) --lint-only -Wall --top-module sgpu_wb_slave -GPipelined=0 $(WB_LINT_SRC) && \
  $(VERILATOR) --lint-only -Wall --top-module sgpu_wb_slave -GAdrW=14 -GReadTimeout=1 -GLateW=1 \
    $(WB_LINT_SRC) && \
  echo lint clean: the Wishbone slave
.PHONY: wb-lint
wb-lint: need-verilator
	@$(WB_LINT_CMD)
lint: wb-lint
TESTS += wb_lint
TEST_CMD_wb_lint := $(WB_LINT_CMD)

# The RTL receive path fed pure random byte streams against the reference bridge (tb_link --noise:
# random lengths and zero densities, bursts of zeros, then a PING that must be answered); a
# short run here, the long campaign's command and numbers in docs/verification.md.
TESTS += tb_link_noise
TEST_CMD_tb_link_noise := $(VM_OUT_tb_link) --noise --steps 2000
