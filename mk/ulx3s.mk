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
