# mk/host.mk - libsgpu, the sgpu CLI, sgpu-sim (the simulated device served over a byte link)
# and the examples (demo, benchmark, its plot). Included by the top Makefile, which defines
# BUILD and CC and the target `host`; the host tests are in mk/tests.mk.
#
#   make host        $(BUILD)/host/{libsgpu.a,libsgpu.so,sgpu,sgpu-sim,sgpu.pc}
#   make host-asan   the same library, CLI and sgpu-sim with ASan+UBSan in $(BUILD)/host-asan/
#   make bench-plot  $(BUILD)/bench/teardown.png from the CSV of `make bench` (matplotlib from
#                    .venv: it runs `make deps-plot` first)
#
# For other fragments (link a test or a bench against libsgpu):
#   SGPU_CFLAGS      compile flags, include path of sgpu.h
#   SGPU_LDLIBS      what libsgpu needs at link time (-ldl -lpthread)
#   SGPU_LIB_A       the static library          SGPU_LIB_SO    the shared library
#   SGPU_LIB_ASAN_A  the sanitizer build         SGPU_ASAN_CFLAGS  its compile+link flags
#   SGPU_CLI         the sgpu tool               SGPU_CLI_ASAN  its sanitizer build
#   SGPU_SIMSRV      sgpu-sim                    SGPU_SIMSRV_ASAN  its sanitizer build
#   e.g.  $(CC) $(SGPU_CFLAGS) t.c $(SGPU_LIB_A) $(SGPU_LDLIBS) -o t

.PHONY: host-asan

SGPU_CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -fPIC -D_POSIX_C_SOURCE=200809L -Ihost/include
# libusb-1.0 (the usb: transport, transport_usb.c) is required: tools/deps.sh usb (in make deps)
# installs it; a build without it stops at need-usb, naming it.
USB_CFLAGS := $(shell pkg-config --cflags libusb-1.0 2>/dev/null)
USB_LIBS := $(or $(shell pkg-config --libs libusb-1.0 2>/dev/null),-lusb-1.0)
SGPU_LDLIBS := -ldl -lpthread $(USB_LIBS)
SGPU_ASAN_CFLAGS := $(SGPU_CFLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all -g

HOST_OUT := $(BUILD)/host
HOST_ASAN_OUT := $(BUILD)/host-asan
SGPU_LIB_A := $(HOST_OUT)/libsgpu.a
SGPU_LIB_SO := $(HOST_OUT)/libsgpu.so
SGPU_LIB_ASAN_A := $(HOST_ASAN_OUT)/libsgpu.a
SGPU_CLI := $(HOST_OUT)/sgpu
SGPU_CLI_ASAN := $(HOST_ASAN_OUT)/sgpu
SGPU_SIMSRV := $(HOST_OUT)/sgpu-sim
SGPU_SIMSRV_ASAN := $(HOST_ASAN_OUT)/sgpu-sim
SGPU_PC := $(HOST_OUT)/sgpu.pc
SGPU_LIB_VERSION := 0.1.0

HOST_LIB_SRC := $(wildcard host/lib/*.c)
HOST_HDRS := host/include/sgpu.h host/lib/sgpu_regs.h host/lib/sgpu_link.h host/include/sgpu_codes.h host/lib/sgpu_internal.h \
             host/lib/link_proto.h host/lib/link_port.h host/lib/bar_access.h sim/sgpu_sim.h
HOST_HDRS += host/lib/shm_bar.h # shm: (transport_shm.c) and sgpu-sim --shm (sim/sim_shm.c)
# The sim transport's default model directory: the absolute build/sim of this tree.
HOST_LIB_DEFS := -Isim -DSGPU_SIM_DEFAULT_DIR='"$(abspath $(BUILD))/sim"' $(USB_CFLAGS)
HOST_OBJ := $(patsubst host/lib/%.c,$(HOST_OUT)/obj/%.o,$(HOST_LIB_SRC))
HOST_ASAN_OBJ := $(patsubst host/lib/%.c,$(HOST_ASAN_OUT)/obj/%.o,$(HOST_LIB_SRC))

host-asan: $(SGPU_LIB_ASAN_A) $(SGPU_CLI_ASAN) $(SGPU_SIMSRV_ASAN)

.PHONY: need-usb
need-usb:
	@tools/deps.sh --check usb
$(HOST_OUT)/obj/transport_usb.o $(HOST_ASAN_OUT)/obj/transport_usb.o: | need-usb

$(HOST_OUT)/obj/%.o: host/lib/%.c $(HOST_HDRS) mk/host.mk
	@mkdir -p $(@D)
	$(CC) $(SGPU_CFLAGS) $(HOST_LIB_DEFS) -c $< -o $@

$(HOST_ASAN_OUT)/obj/%.o: host/lib/%.c $(HOST_HDRS) mk/host.mk
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

# sgpu-sim (sim/sgpu_sim_main.c): a model loaded by libsgpu's sim transport, the C reference
# bridge (tests/model/bridge_ref.c) in front of it, served on a pty or TCP.
# --bridge rtl: sim/simsrv_rtl.c (the host's UART on the RTL link model's pins, dlopen of
# libsgpu_simlink_NAME.so from the build's sim/ directory by default).
SGPU_SIMSRV_SRC := sim/sgpu_sim_main.c tests/model/bridge_ref.c sim/simsrv_rtl.c
SGPU_SIMSRV_HDRS := tests/model/bridge_ref.h sim/simsrv_rtl.h sim/sgpu_simlink.h $(HOST_HDRS)
SGPU_SIMSRV_INC := -Ihost/lib -Itests/model -Isim -DSGPU_SIM_DEFAULT_DIR='"$(abspath $(BUILD))/sim"'
SGPU_SIMSRV_SRC += sim/sim_shm.c # --shm NAME: the register bus as a BAR for shm: (host/lib/shm_bar.h)
SGPU_SIMSRV_HDRS += sim/sim_shm.h host/lib/shm_bar.h

$(SGPU_SIMSRV): $(SGPU_SIMSRV_SRC) $(SGPU_SIMSRV_HDRS) $(SGPU_LIB_A)
	$(CC) $(SGPU_CFLAGS) $(SGPU_SIMSRV_INC) $(SGPU_SIMSRV_SRC) $(SGPU_LIB_A) $(SGPU_LDLIBS) -o $@

$(SGPU_SIMSRV_ASAN): $(SGPU_SIMSRV_SRC) $(SGPU_SIMSRV_HDRS) $(SGPU_LIB_ASAN_A)
	$(CC) $(SGPU_ASAN_CFLAGS) $(SGPU_SIMSRV_INC) $(SGPU_SIMSRV_SRC) $(SGPU_LIB_ASAN_A) \
	  $(SGPU_LDLIBS) -o $@

# An uninstalled pkg-config file: PKG_CONFIG_PATH=$(BUILD)/host pkg-config --cflags --libs sgpu
$(SGPU_PC): mk/host.mk
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
	  'Libs.private: $(SGPU_LDLIBS)' \
	  'Requires.private: libusb-1.0' > $@
	@echo "wrote $@"

# ---------------------------------------------------------------- examples: demo and bench
$(HOST_OUT)/demo: host/examples/demo.c $(SGPU_LIB_A)
	$(CC) $(SGPU_CFLAGS) $< $(SGPU_LIB_A) $(SGPU_LDLIBS) -o $@
$(HOST_OUT)/bench_teardown: host/examples/bench_teardown.c $(SGPU_LIB_A)
	$(CC) $(SGPU_CFLAGS) $< $(SGPU_LIB_A) $(SGPU_LDLIBS) -o $@

# The teardown plot: $(BUILD)/bench/teardown.png from the CSV `make bench` wrote, drawn with
# matplotlib from the project-local .venv (deps-plot: tools/venv.sh plot, pinned versions).
#   make bench-plot                    after bench_teardown has written the CSV
#   BENCH_CSV=... BENCH_PNG=...        other files
.PHONY: bench-plot
BENCH_CSV ?= $(BUILD)/bench/teardown.csv
BENCH_PNG ?= $(BUILD)/bench/teardown.png
bench-plot: deps-plot
	@test -f $(BENCH_CSV) || { echo "bench-plot: $(BENCH_CSV) missing (run make bench)"; exit 1; }
	.venv/bin/python tools/plot_teardown.py $(BENCH_CSV) $(BENCH_PNG)
