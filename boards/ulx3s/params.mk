# boards/ulx3s/params.mk - the ULX3S build's parameters (boards/ecp5.mk reads them).
# ECP5 part: DEVICE=85k (LFE5U-85F, the default), 45k, 25k or 12k (LFE5U-12F/25F/45F), as
# `make -C boards/ulx3s DEVICE=45k` (outputs then in build/ulx3s-45k/); all are CABGA381, speed
# grade 6 on the ULX3S.
BOARD    := ulx3s
DEFAULT_DEVICE := 85k
DEVICE   ?= $(DEFAULT_DEVICE)
PACKAGE  := CABGA381
SPEED    := 6
TOP      := sgpu_ulx3s_top
LPF      := boards/ulx3s/ulx3s.lpf
FREQ_MHZ := 40
PROG_BOARD := ulx3s
# DP16KD the design must use: the allocator's two 8192 x 13-bit frame lists (14), the link's
# buffer and program (3), the rest of the core (6)
BRAM_MIN := 23
# modules kept as their own hierarchy in synthesis, for the report's shares: the link (UART +
# bridge), the MMU, the teardown engine and process table, the memory system
KEEP     := sgpu_link_uart sgpu_mmu sgpu_teardown sgpu_proc_table sgpu_frame_alloc sgpu_scrubber \
            sgpu_mem_xbar sgpu_mem_sdram sgpu_sdram_init litedram_core
# sources, relative to the repository root (Yosys reads files under its working directory)
SRC      := rtl/gen/sgpu_regs_pkg.sv rtl/gen/sgpu_link_pkg.sv rtl/gen/sgpu_link_ucode_pkg.sv \
            rtl/pkg/sgpu_pkg.sv \
            $(filter-out rtl/gen/sgpu_regs_pkg.sv rtl/gen/sgpu_link_pkg.sv \
              rtl/gen/sgpu_link_ucode_pkg.sv rtl/pkg/sgpu_pkg.sv,\
              $(patsubst $(ROOT)/%,%,$(wildcard $(ROOT)/rtl/*/sgpu_*.sv))) \
            boards/ulx3s/litedram_core.v boards/ulx3s/top.sv
