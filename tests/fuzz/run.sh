#!/usr/bin/env bash
# tests/fuzz/run.sh FUZZER [libFuzzer options...] - run FUZZER on a temporary copy of
# tests/fuzz/corpus (the checked-in corpus is never modified), -seed=1, then remove the copy.
# Crash artifacts go to the fuzzer's directory (crash-<sha1>). Used by make test (fuzz-admin)
# and make fuzz.
set -uo pipefail
bin=$1; shift
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cp "$(dirname "$0")"/corpus/* "$d"/
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} "$bin" "$d" -seed=1 -max_len=1024 -print_final_stats=1 \
  -artifact_prefix="$(cd "$(dirname "$bin")" && pwd)/crash-" "$@"
