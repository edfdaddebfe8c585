#!/usr/bin/env bash
# tools/deps.sh [--check] SET... - the Debian packages a set of make targets needs.
#
# Installing is an explicit step: `make deps` (base) and `make deps-test` (test) run this
# without --check, and `make demo`, `make test`, `make bench`, `make formal`, `make coverage`,
# `make soak`, `make fuzz`, `make lint` run those first. It installs only what is missing, with
# apt-get (as root, or through sudo), after one `apt-get update` (at most every 10 hours), and
# says what it installs.
#
# --check installs nothing: it names what is missing and the command that installs it, and
# exits 1. Build rules (a Verilated model or bench, the fuzzer) and test commands use this, so
# that `make sim`, `make build/sim/libsgpu_sim_small.so` etc. never run apt-get.
#
# Sets:
#   base       verilator, g++, gcc, make, python3 (>= 3.11: tomllib), pkg-config, and usb
#              (libsgpu needs libusb)                                              make deps
#   usb        libusb-1.0-0-dev and pkg-config: libsgpu's usb: transport (part of base)
#   umockdev   umockdev, libumockdev-dev, libglib2.0-dev: the usb: test without a board
#   verilator  verilator, g++, make, python3: what a Verilated build runs (part of base)
#   ntstatus   mingw-w64-common: its ntstatus.h, which the status codes are checked against
#   fuzz       clang-14 and libclang-rt-14-dev (libFuzzer, ASan, UBSan runtimes)
#   venv       python3-venv, when python3 cannot make a virtual environment (tools/venv.sh)
#   yosys      Debian's yosys 0.23 (no make target uses it: the flows run Yosys 0.70 from .venv)
#   ice40      nextpnr-ice40 and fpga-icestorm (icepack): the iCE40 board flow (boards/ice40.mk)
#   prog       openfpgaloader: make prog BOARD=...                                 make deps-boards
#   test       base, ntstatus, fuzz, venv, umockdev and ice40: all `make test` needs from Debian
#                                                                                   make deps-test
# The Python packages (Yosys 0.70, z3, matplotlib) come from PyPI into .venv: tools/venv.sh.
set -euo pipefail
check=0
[ "${1:-}" = --check ] && { check=1; shift; }
[ $# -gt 0 ] || set -- base
need_pkgs=(); need_what=()
want() { # want COMMAND DEBIAN_PACKAGE
  command -v "$1" >/dev/null 2>&1 || { need_pkgs+=("$2"); need_what+=("$1 (Debian package $2)"); }
}
want_pc() { # want_pc PKG-CONFIG-MODULE DEBIAN_PACKAGE
  { command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$1"; } ||
    { need_pkgs+=("$2"); need_what+=("$1.pc (Debian package $2)"); }
}
# the make targets that install the sets asked for (--check names them)
cmds=()
add_set() {
  case "$1" in
    base) want verilator verilator; want g++ g++; want gcc gcc; want make make
          want python3 python3; want pkg-config pkg-config; add_set usb; cmds+=("make deps") ;;
    usb) want pkg-config pkg-config; want_pc libusb-1.0 libusb-1.0-0-dev; cmds+=("make deps") ;;
    umockdev) want pkg-config pkg-config; want umockdev-wrapper umockdev
              want_pc umockdev-1.0 libumockdev-dev; want_pc glib-2.0 libglib2.0-dev
              cmds+=("make deps-test") ;;
    verilator) want verilator verilator; want g++ g++; want make make; want python3 python3
               cmds+=("make deps") ;;
    ntstatus) [ -f /usr/share/mingw-w64/include/ntstatus.h ] || {
                need_pkgs+=(mingw-w64-common)
                need_what+=("/usr/share/mingw-w64/include/ntstatus.h (Debian package mingw-w64-common)"); }
              cmds+=("make deps-test") ;;
    fuzz) want clang-14 clang-14
          ls /usr/lib/llvm-14/lib/clang/14*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || {
            need_pkgs+=(libclang-rt-14-dev)
            need_what+=("libclang_rt.fuzzer (Debian package libclang-rt-14-dev)"); }
          cmds+=("make deps-fuzz") ;;
    venv) python3 -c 'import venv, ensurepip' 2>/dev/null || {
            need_pkgs+=(python3-venv); need_what+=("python3's venv module (Debian package python3-venv)"); }
          cmds+=("make deps-test") ;;
    yosys) want yosys yosys; cmds+=("tools/deps.sh yosys") ;;
    ice40) want nextpnr-ice40 nextpnr-ice40; want icepack fpga-icestorm; cmds+=("make deps-boards") ;;
    prog) want openFPGALoader openfpgaloader; cmds+=("make deps-boards") ;;
    test) add_set base; add_set ntstatus; add_set fuzz; add_set venv; add_set umockdev; add_set ice40
          cmds+=("make deps-test") ;;
    *) echo "deps.sh: unknown set '$1' (known: base, verilator, usb, umockdev, ntstatus, fuzz, venv, yosys, ice40, prog, test)" >&2
       exit 2 ;;
  esac
}
for s in "$@"; do add_set "$s"; done
[ ${#need_pkgs[@]} -eq 0 ] && exit 0
# one package may be wanted by two sets
mapfile -t need_pkgs < <(printf '%s\n' "${need_pkgs[@]}" | awk '!seen[$0]++')
if [ $check = 1 ]; then
  # one set: its own target; several: make deps-test installs every set but yosys
  install_cmd=$(printf '%s\n' "${cmds[@]}" | sort -u)
  [ "$(wc -l <<<"$install_cmd")" -eq 1 ] || install_cmd="make deps-test"
  printf 'deps: missing: %s\n' "${need_what[@]}" >&2
  echo "deps: install with '$install_cmd' (it runs: apt-get install ${need_pkgs[*]})" >&2
  exit 1
fi
echo "deps: installing missing Debian packages: ${need_pkgs[*]}"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
stamp=/var/lib/apt/periodic/sgpu-update-stamp
if [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +600 2>/dev/null)" ]; then
  $SUDO apt-get update -qq
  $SUDO mkdir -p "$(dirname "$stamp")"; $SUDO touch "$stamp"
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
echo "deps: installed ${need_pkgs[*]}"
