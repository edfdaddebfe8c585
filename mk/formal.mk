# mk/formal.mk - the SymbiYosys proofs. Included by the top Makefile, which defines BUILD and
# the target `formal` (make deps-formal, then FORMAL_CMD FORMAL_ARGS); mk/tests.mk runs
# FORMAL_CMD as the test `formal`.
#
# tools/formal.sh runs the `prove` and `cover` tasks (and `prove_nz`) of every
# tests/formal/*.sby with Yosys 0.70, yowasp-sby and z3 from .venv (the formal set of
# tools/requirements-formal.txt: make deps-formal) and prints a table; logs in $(BUILD)/formal.
#   make formal                      every proof
#   make formal FORMAL_ARGS="alloc"  one .sby (a name in tests/formal); --all adds the wider
#                                    parameter sets (minutes)
FORMAL_ARGS ?=
FORMAL_CMD = BUILD=$(BUILD) tools/formal.sh
