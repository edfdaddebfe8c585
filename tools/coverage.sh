#!/usr/bin/env bash
# tools/coverage.sh - run the RTL-facing tests on the coverage build of the core (small
# configuration, Verilator --coverage-line --coverage-user: line, branch and the named functional covers
# (Cov*_C) of the context manager's blocks) and print the merged report: percentages per file, every
# uncovered line, every functional cover never hit. Fails if line coverage of rtl/ < 90 %.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${BUILD:-build}
dir=$B/coverage
rm -rf "$dir"; mkdir -p "$dir"
export SGPU_SIM_DIR=$PWD/$B/sim SGPU_COVERAGE_DIR=$PWD/$dir
echo "coverage: tb_teardown";       "$B/tests/tb_teardown_cov" > "$dir/tb_teardown.log"
echo "coverage: difftest 20000 ops (seed 1)"; "$B/tests/cosim/difftest" --uri sim:smallcov --seed 1 --ops 20000 > "$dir/difftest.log"
echo "coverage: scenarios --full";  "$B/tests/cosim/scenarios" --uri sim:smallcov --full > "$dir/scenarios.log"
echo "coverage: engines";           "$B/tests/cosim/engines" --uri sim:smallcov --seed 1 > "$dir/engines.log"
python3 tools/coverage_report.py "$dir" --min-line "${MIN_LINE:-90}"
