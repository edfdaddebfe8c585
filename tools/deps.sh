#!/usr/bin/env bash
# Install what a make target needs and is missing, saying what it installs.
#   deps.sh base    verilator, g++, gcc, make, python3 (>= 3.11 for tomllib), pkg-config
#   deps.sh yosys   yosys (Debian's 0.23), for the RTL elaboration check
#   deps.sh fuzz    clang-14 and libclang-rt-14-dev (libFuzzer, ASan, UBSan runtimes)
#   deps.sh venv    python3-venv, when python3 cannot make a virtual environment
#   deps.sh ntstatus  mingw-w64-common, whose ntstatus.h the status codes are checked against
# Debian packages only, through apt-get (run as root, or with sudo when available).
set -euo pipefail
need_pkgs=()
want() { # want COMMAND DEBIAN_PACKAGE
  command -v "$1" >/dev/null 2>&1 || need_pkgs+=("$2")
}
case "${1:-base}" in
  base)
    want verilator verilator; want g++ g++; want gcc gcc; want make make
    want python3 python3; want pkg-config pkg-config ;;
  yosys) want yosys yosys ;;
  fuzz) want clang-14 clang-14
        ls /usr/lib/llvm-14/lib/clang/14*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 ||
          need_pkgs+=(libclang-rt-14-dev) ;;
  venv) python3 -c 'import venv, ensurepip' 2>/dev/null || need_pkgs+=(python3-venv) ;;
  ntstatus) [ -f /usr/share/mingw-w64/include/ntstatus.h ] || need_pkgs+=(mingw-w64-common) ;;
  *) echo "deps.sh: unknown set '$1' (known: base, yosys, ntstatus, venv, fuzz)" >&2; exit 2 ;;
esac
[ ${#need_pkgs[@]} -eq 0 ] && exit 0
echo "deps: installing missing Debian packages: ${need_pkgs[*]}"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
stamp=/var/lib/apt/periodic/sgpu-update-stamp
if [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +600 2>/dev/null)" ]; then
  $SUDO apt-get update -qq
  $SUDO mkdir -p "$(dirname "$stamp")"; $SUDO touch "$stamp"
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
echo "deps: installed ${need_pkgs[*]}"
