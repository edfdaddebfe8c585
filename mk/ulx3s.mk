# mk/ulx3s.mk - the ULX3S board (ECP5, device memory in its SDRAM through LiteDRAM): the
# controller's generation, the SDRAM path's bench, the board's flow. Included by the top
# Makefile after mk/tests.mk (BUILD, TESTS, TEST_DEPS).
#
#   make litedram-gen    regenerate boards/ulx3s/litedram_core.v and litedram_csr.csv from
#                        boards/ulx3s/litedram.yml with the pinned LiteDRAM (tools/gen_litedram.sh;
#                        needs `tools/venv.sh ecp5`, which `make deps-ecp5` runs)
#   make deps-ecp5       install the 'ecp5' venv set (tools/requirements-ecp5.txt)
.PHONY: litedram-gen deps-ecp5

deps-ecp5:
	tools/venv.sh ecp5
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
  rtl/mem/sgpu_sdram_init.sv boards/ulx3s/litedram_core.v $(SDRAM_PRIM_SRC) \
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
