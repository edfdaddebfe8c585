#!/usr/bin/env bash
# tests/fuzz/deps.sh - the `fuzz` dependency set: clang-14 and its runtime (libFuzzer, ASan,
# UBSan). Installs only what is missing. Belongs in tools/deps.sh as a `fuzz` set; kept here
# until it moves there.
set -euo pipefail
have_rt() { ls /usr/lib/llvm-14/lib/clang/14*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; }
if command -v clang-14 >/dev/null 2>&1 && have_rt; then exit 0; fi
SUDO=; [ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get install -y clang-14 libclang-rt-14-dev
