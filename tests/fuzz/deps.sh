#!/usr/bin/env bash
# tests/fuzz/deps.sh - the fuzzer's dependencies: tools/deps.sh's `fuzz` set (clang-14 and
# libclang-rt-14-dev, installed only when missing, after one apt-get update).
exec "$(dirname "$0")/../../tools/deps.sh" fuzz
