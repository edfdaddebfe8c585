# mk/fuzz.mk - libFuzzer target over the admin commands: the Verilated core (sim:small)
# against the C reference model. Included by the top Makefile after mk/host.mk and
# mk/tests.mk (BUILD, TESTS, TEST_DEPS, TEST_CMD_<name>, SGPU_LIB_A, SGPU_LDLIBS).
#
#   make deps-fuzz                      clang-14 + libclang-rt-14-dev (tools/deps.sh fuzz; also
#                                       `make fuzz-deps`, or tests/fuzz/deps.sh)
#   make $(BUILD)/tests/fuzz/fuzz_admin the fuzzer (clang-14 -fsanitize=fuzzer,address,undefined);
#                                       installs nothing: without clang-14 it stops, naming it
#   make fuzz                           deps, deps-fuzz, then a 30 s run on a copy of
#                                       tests/fuzz/corpus
#   make test                           includes fuzz-admin (20000 inputs, -seed=1, ~10 s)
# Long campaigns and crash replay: see the comment at the top of tests/fuzz/fuzz_admin.c.

.PHONY: fuzz

FUZZ_CC ?= clang-14
FUZZ_OUT := $(BUILD)/tests/fuzz
FUZZ_BIN := $(FUZZ_OUT)/fuzz_admin
FUZZ_SRC := tests/fuzz/fuzz_admin.c tests/cosim/raw_cmd.c tests/model/sgpu_ref.c tests/model/model_sync.c
FUZZ_HDRS := tests/fuzz/run.sh tests/cosim/raw_cmd.h tests/model/sgpu_ref.h tests/model/model_sync.h host/include/sgpu.h host/lib/sgpu_regs.h host/include/sgpu_codes.h
FUZZ_CFLAGS := -std=c11 -g -O1 -Wall -Wextra -D_POSIX_C_SOURCE=200809L \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -Ihost/include -Ihost/lib -Itests/model -Itests/cosim -Isim
FUZZ_ENV := SGPU_SIM_DIR=$(abspath $(BUILD))/sim ASAN_OPTIONS=detect_leaks=0
FUZZ_RUNS ?= 20000
FUZZ_TIME ?= 30

$(FUZZ_BIN): $(FUZZ_SRC) $(FUZZ_HDRS) $(SGPU_LIB_A) mk/fuzz.mk | need-fuzz
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SRC) $(SGPU_LIB_A) $(SGPU_LDLIBS) -o $@

# tests/fuzz/run.sh runs on a temporary copy of the corpus (the checked-in one is never
# modified) with -seed=1; crash artifacts land in $(FUZZ_OUT)/crash-<sha1>.
.PHONY: fuzz-build
fuzz-build: $(FUZZ_BIN) $(BUILD)/sim/libsgpu_sim_small.so
	@:
fuzz: deps deps-fuzz
	@$(MAKE) --no-print-directory fuzz-build
	$(FUZZ_ENV) tests/fuzz/run.sh $(FUZZ_BIN) -max_total_time=$(FUZZ_TIME)

TESTS += fuzz-admin
TEST_CMD_fuzz-admin := $(FUZZ_ENV) tests/fuzz/run.sh $(FUZZ_BIN) -runs=$(FUZZ_RUNS)
TEST_DEPS += $(FUZZ_BIN) $(BUILD)/sim/libsgpu_sim_small.so

# The host's frame parser (issue 13): tests/fuzz/fuzz_link.c on host/lib/link_proto.c alone
# (the deframer, the frame parser, COBS, the request engine's handling of any answer).
#   make fuzz-link   deps-fuzz, then FUZZ_TIME seconds (30) on a fresh corpus
#   make test        fuzz-link: FUZZ_LINK_RUNS inputs (200000, -seed=1, about 4 s)
.PHONY: fuzz-link
FUZZ_LINK_BIN := $(FUZZ_OUT)/fuzz_link
FUZZ_LINK_RUNS ?= 200000
$(FUZZ_LINK_BIN): tests/fuzz/fuzz_link.c host/lib/link_proto.c host/lib/link_proto.h host/lib/sgpu_link.h \
                  host/lib/sgpu_regs.h tests/fuzz/run_link.sh mk/fuzz.mk | need-fuzz
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) tests/fuzz/fuzz_link.c host/lib/link_proto.c -o $@
fuzz-link: deps-fuzz
	@$(MAKE) --no-print-directory $(FUZZ_LINK_BIN)
	tests/fuzz/run_link.sh $(FUZZ_LINK_BIN) -max_total_time=$(FUZZ_TIME)
TESTS += fuzz-link
TEST_CMD_fuzz-link := tests/fuzz/run_link.sh $(FUZZ_LINK_BIN) -runs=$(FUZZ_LINK_RUNS)
TEST_DEPS += $(FUZZ_LINK_BIN)
