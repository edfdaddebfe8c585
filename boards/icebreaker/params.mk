# iCEBreaker parameters for boards/common.mk (every board fact cited in icebreaker.pcf).
FAMILY     := ice40
TOP        := sgpu_icebreaker_top
BOARD_SRC  := top.sv
DEVICE     := up5k
PACKAGE    := sg48
PINS       := icebreaker.pcf
# The core clock and what fits: docs/boards.md has the measurements behind each value.
# 2 process slots, 2 queues, 2 TLB entries, narrower counters: 4/4/4 needs 120 % of the logic
# cells (6,339 of 5,280).
TARGET_MHZ := 12
TOP_PARAMS := CoreMHz=12 NumProcs=2 NumQueues=2 TlbEntries=2 TimeW=16 CycleW=40 StatW=12 \
              DrainW=16 MaxOut=2
# device memory in the four SPRAMs; 20 block RAMs (the link 11, the core 9)
EXPECT     := SB_SPRAM256KA=4 SB_RAM40_4K=20
# nextpnr's seeds, tried in turn (boards/ice40.mk)
SEEDS      := 2 1 3
PROG_BOARD := ice40_generic
