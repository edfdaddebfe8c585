#!/usr/bin/env bash
# tests/fuzz/run_link.sh FUZZER [libFuzzer options...] - run fuzz_link (tests/fuzz/fuzz_link.c)
# on a fresh temporary corpus with -seed=1, then remove it. Its inputs are built by the
# harness (correct CRCs in modes 1 and 2), so it needs no checked-in corpus. Crash artifacts go
# to the fuzzer's directory (crash-link-<sha1>). Used by make test (fuzz-link) and make fuzz-link.
set -uo pipefail
bin=$1; shift
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} "$bin" "$d" -seed=1 -max_len=4096 -print_final_stats=1 \
  -artifact_prefix="$(cd "$(dirname "$bin")" && pwd)/crash-link-" "$@"
