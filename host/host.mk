# host/host.mk - libsgpu, the sgpu CLI and the host tests. Included by the top Makefile,
# which defines BUILD, CC, JOBS, TESTS, TEST_DEPS and TEST_CMD_<name>.
#
#   make host        $(BUILD)/host/{libsgpu.a,libsgpu.so,sgpu,sgpu.pc}
#   make host-asan   the same library and CLI with ASan+UBSan in $(BUILD)/host-asan/
#   make bench-plot  $(BUILD)/bench/teardown.png from the CSV of `make bench` (matplotlib, .venv)
#
# For other fragments (link a test or a bench against libsgpu):
#   SGPU_CFLAGS      compile flags, include path of sgpu.h
#   SGPU_LDLIBS      what libsgpu needs at link time (-ldl -lpthread)
#   SGPU_LIB_A       the static library          SGPU_LIB_SO    the shared library
#   SGPU_LIB_ASAN_A  the sanitizer build         SGPU_ASAN_CFLAGS  its compile+link flags
#   SGPU_CLI         the sgpu tool               SGPU_CLI_ASAN  its sanitizer build
#   e.g.  $(CC) $(SGPU_CFLAGS) t.c $(SGPU_LIB_A) $(SGPU_LDLIBS) -o t

.PHONY: host host-asan host-tests

SGPU_CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -fPIC -D_POSIX_C_SOURCE=200809L -Ihost/include
SGPU_LDLIBS := -ldl -lpthread
SGPU_ASAN_CFLAGS := $(SGPU_CFLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all -g

HOST_OUT := $(BUILD)/host
HOST_ASAN_OUT := $(BUILD)/host-asan
SGPU_LIB_A := $(HOST_OUT)/libsgpu.a
SGPU_LIB_SO := $(HOST_OUT)/libsgpu.so
SGPU_LIB_ASAN_A := $(HOST_ASAN_OUT)/libsgpu.a
SGPU_CLI := $(HOST_OUT)/sgpu
SGPU_CLI_ASAN := $(HOST_ASAN_OUT)/sgpu
SGPU_PC := $(HOST_OUT)/sgpu.pc
SGPU_LIB_VERSION := 0.1.0

HOST_LIB_SRC := $(wildcard host/lib/*.c)
HOST_HDRS := host/include/sgpu.h host/lib/sgpu_regs.h host/include/sgpu_codes.h host/lib/sgpu_internal.h \
             sim/sgpu_sim.h
# The sim transport's default model directory: the absolute build/sim of this tree.
HOST_LIB_DEFS := -Isim -DSGPU_SIM_DEFAULT_DIR='"$(abspath $(BUILD))/sim"'
HOST_OBJ := $(patsubst host/lib/%.c,$(HOST_OUT)/obj/%.o,$(HOST_LIB_SRC))
HOST_ASAN_OBJ := $(patsubst host/lib/%.c,$(HOST_ASAN_OUT)/obj/%.o,$(HOST_LIB_SRC))

host: $(SGPU_LIB_A) $(SGPU_LIB_SO) $(SGPU_CLI) $(SGPU_PC)
host-asan: $(SGPU_LIB_ASAN_A) $(SGPU_CLI_ASAN)

$(HOST_OUT)/obj/%.o: host/lib/%.c $(HOST_HDRS) host/host.mk
	@mkdir -p $(@D)
	$(CC) $(SGPU_CFLAGS) $(HOST_LIB_DEFS) -c $< -o $@

$(HOST_ASAN_OUT)/obj/%.o: host/lib/%.c $(HOST_HDRS) host/host.mk
	@mkdir -p $(@D)
	$(CC) $(SGPU_ASAN_CFLAGS) $(HOST_LIB_DEFS) -c $< -o $@

$(SGPU_LIB_A): $(HOST_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(SGPU_LIB_ASAN_A): $(HOST_ASAN_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# Only sgpu_* is exported (host/lib/libsgpu.map); internals are sgpui_*.
$(SGPU_LIB_SO): $(HOST_OBJ) host/lib/libsgpu.map
	$(CC) -shared -Wl,-soname,libsgpu.so -Wl,--version-script=host/lib/libsgpu.map \
	  -o $@ $(HOST_OBJ) $(SGPU_LDLIBS)

# The tool: main.c (options, table, dispatch), output.c, args.c, commands.c, script.c,
# selftest.c, joined by cli.h.
SGPU_CLI_SRC := $(wildcard host/cli/*.c)
SGPU_CLI_HDRS := host/cli/cli.h host/include/sgpu.h host/include/sgpu_codes.h

$(SGPU_CLI): $(SGPU_CLI_SRC) $(SGPU_CLI_HDRS) $(SGPU_LIB_A)
	$(CC) $(SGPU_CFLAGS) -Ihost/cli $(SGPU_CLI_SRC) $(SGPU_LIB_A) $(SGPU_LDLIBS) -o $@

$(SGPU_CLI_ASAN): $(SGPU_CLI_SRC) $(SGPU_CLI_HDRS) $(SGPU_LIB_ASAN_A)
	$(CC) $(SGPU_ASAN_CFLAGS) -Ihost/cli $(SGPU_CLI_SRC) $(SGPU_LIB_ASAN_A) $(SGPU_LDLIBS) -o $@

# An uninstalled pkg-config file: PKG_CONFIG_PATH=$(BUILD)/host pkg-config --cflags --libs sgpu
$(SGPU_PC): host/host.mk
	@mkdir -p $(@D)
	@printf '%s\n' \
	  'libdir=$(abspath $(HOST_OUT))' \
	  'includedir=$(abspath host/include)' \
	  '' \
	  'Name: sgpu' \
	  'Description: libsgpu, the host driver of the sgpu soft-GPU' \
	  'Version: $(SGPU_LIB_VERSION)' \
	  'Cflags: -I$${includedir}' \
	  'Libs: -L$${libdir} -lsgpu' \
	  'Libs.private: $(SGPU_LDLIBS)' > $@
	@echo "wrote $@"

# ---------------------------------------------------------------------------- tests
# The host tests' fake devices: builds of the one device shell (tests/model/sim_shell.c, as
# sim:ref in tests/tests.mk) with a configuration and fault switches: the working one, a
# small configuration, and one per failure the sim transport must report.
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
                                 host/lib/sgpu_regs.h host/include/sgpu_codes.h sim/sgpu_sim.h host/host.mk
	@mkdir -p $(@D)
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -fPIC -shared -fvisibility=hidden -Itests/model \
	  -Ihost/include -Ihost/lib -Isim -DSHELL_CONFIG='"$*"' $(HOST_FAKE_DEFS_$*) \
	  tests/model/sim_shell.c tests/model/sgpu_ref.c -o $@

HOST_TEST_PROGS := test_status test_uri test_api test_faults
$(addprefix $(HOST_TEST_OUT)/,$(HOST_TEST_PROGS)): $(HOST_TEST_OUT)/%: tests/host/%.c     tests/host/host_test.h $(SGPU_LIB_A)
	@mkdir -p $(@D)
	$(CC) $(SGPU_CFLAGS) -Ihost/lib -Itests/host $< $(SGPU_LIB_A) $(SGPU_LDLIBS) -o $@

$(addprefix $(HOST_TEST_OUT)/asan/,$(HOST_TEST_PROGS)): $(HOST_TEST_OUT)/asan/%:     tests/host/%.c tests/host/host_test.h $(SGPU_LIB_ASAN_A)
	@mkdir -p $(@D)
	$(CC) $(SGPU_ASAN_CFLAGS) -Ihost/lib -Itests/host $< $(SGPU_LIB_ASAN_A) $(SGPU_LDLIBS) -o $@

HOST_TEST_BINS := $(addprefix $(HOST_TEST_OUT)/,$(HOST_TEST_PROGS)) \
                  $(addprefix $(HOST_TEST_OUT)/asan/,$(HOST_TEST_PROGS))
host-tests: host host-asan $(HOST_FAKE_SO) $(HOST_TEST_BINS)

# Registry (see the top Makefile). The api and cli tests run against the fake models; give
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

# The same tests on the reference model (rule in tests/tests.mk) and the small RTL model (rule
# in the top Makefile): one test, every device.
HOST_SIM_ENV := SGPU_SIM_DIR=$(abspath $(BUILD))/sim
TESTS += host-api-ref host-cli-ref host-api-small host-cli-small
TEST_DEPS += $(BUILD)/sim/libsgpu_sim_ref.so $(BUILD)/sim/libsgpu_sim_small.so
TEST_CMD_host-api-ref := $(HOST_SIM_ENV) $(HOST_TEST_OUT)/asan/test_api sim:ref
TEST_CMD_host-cli-ref := $(HOST_SIM_ENV) bash tests/host/test_cli.sh $(SGPU_CLI) sim:ref
TEST_CMD_host-api-small := $(HOST_SIM_ENV) $(HOST_TEST_OUT)/test_api sim:small
TEST_CMD_host-cli-small := $(HOST_SIM_ENV) bash tests/host/test_cli.sh $(SGPU_CLI) sim:small

# ---------------------------------------------------------------- examples: demo and bench
$(HOST_OUT)/demo: host/examples/demo.c $(SGPU_LIB_A)
	$(CC) $(SGPU_CFLAGS) $< $(SGPU_LIB_A) $(SGPU_LDLIBS) -o $@
$(HOST_OUT)/bench_teardown: host/examples/bench_teardown.c $(SGPU_LIB_A)
	$(CC) $(SGPU_CFLAGS) $< $(SGPU_LIB_A) $(SGPU_LDLIBS) -o $@

# The teardown plot: $(BUILD)/bench/teardown.png from the CSV `make bench` wrote, drawn with
# matplotlib from the project-local .venv (tools/venv.sh creates it on first use).
#   make bench-plot                    after bench_teardown has written the CSV
#   BENCH_CSV=... BENCH_PNG=...        other files
.PHONY: bench-plot
BENCH_CSV ?= $(BUILD)/bench/teardown.csv
BENCH_PNG ?= $(BUILD)/bench/teardown.png
bench-plot:
	@test -f $(BENCH_CSV) || { echo "bench-plot: $(BENCH_CSV) missing (run make bench)"; exit 1; }
	@tools/venv.sh
	.venv/bin/python tools/plot_teardown.py $(BENCH_CSV) $(BENCH_PNG)
