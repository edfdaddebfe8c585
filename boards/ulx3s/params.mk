# ULX3S parameters for boards/common.mk (every pin cited in ulx3s.lpf; docs/boards.md).
# ECP5 part: DEVICE=85k (LFE5U-85F, the default), 45k, 25k or 12k (LFE5U-12F/25F/45F), as
# `make -C boards/ulx3s DEVICE=45k` (outputs then in build/ulx3s-45k/); all CABGA381, speed 6.
FAMILY     := ecp5
TOP        := sgpu_ulx3s_top
BOARD_SRC  := litedram_csr_pkg.sv litedram_core.v top.sv
DEFAULT_DEVICE := 85k
DEVICE     ?= $(DEFAULT_DEVICE)
BUILD_SUFFIX := $(if $(filter-out $(DEFAULT_DEVICE),$(DEVICE)),-$(DEVICE))
PACKAGE    := CABGA381
SPEED      := 6
PINS       := ulx3s.lpf
# the core clock from the PLL (25 MHz in); the top's defaults are the board's build
TARGET_MHZ := 50
TOP_PARAMS :=
# block RAM: the allocator's two 8192 x 13-bit frame lists (14), the link's buffer and program
# (3), the rest of the core (6)
EXPECT     := DP16KD=23
SEED       := 1
PROG_BOARD := ulx3s
