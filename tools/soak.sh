#!/usr/bin/env bash
# tools/soak.sh - the randomized differential lifecycle test, long: several seeds against the
# RTL (sim:small) and the reference model, outside `make test`.
#   SEEDS="1 2 3"  seeds to run (default: 4 seeds drawn from the clock, printed)
#   OPS=N          operations per seed (default 300000; 4 seeds = 1.2 M operations)
#   URI=...        device under test (default sim:small)
# Prints each seed, its operations per second, the total, and on a failure the one command
# that replays it (`make soak SEEDS=<seed> OPS=<n>` does the same).
set -uo pipefail
cd "$(dirname "$0")/.."
ops=${OPS:-300000}
uri=${URI:-sim:small}
seeds=${SEEDS:-}
if [ -z "$seeds" ]; then
  base=$(date +%s)
  seeds="$base $((base + 1)) $((base + 2)) $((base + 3))"
fi
bin=${BUILD:-build}/tests/cosim/difftest
export SGPU_SIM_DIR=${SGPU_SIM_DIR:-$PWD/${BUILD:-build}/sim}
total=0; t_all=0; failed=()
echo "soak: $uri, $ops operations per seed, seeds: $seeds"
for s in $seeds; do
  start=$(date +%s.%N)
  if "$bin" --uri "$uri" --seed "$s" --ops "$ops" > "${BUILD:-build}/soak-$s.log" 2>&1; then
    res=ok
  else
    res=FAILED; failed+=("$s")
  fi
  dt=$(echo "$(date +%s.%N) - $start" | bc)
  total=$((total + ops)); t_all=$(echo "$t_all + $dt" | bc)
  printf 'seed %-12s %-6s %8d ops in %6.1f s = %8.0f ops/s\n' "$s" "$res" "$ops" "$dt" "$(echo "$ops / $dt" | bc -l)"
  if [ "$res" = FAILED ]; then
    grep -E "MISMATCH|mismatch|replay" "${BUILD:-build}/soak-$s.log" | head -5 | sed 's/^/    /'
    echo "    replay: SGPU_SIM_DIR=$SGPU_SIM_DIR $bin --uri $uri --seed $s --ops $ops --verbose"
  fi
done
printf 'soak: %d operations in %.1f s = %.0f ops/s, %d seed(s) failed\n' "$total" "$t_all" \
  "$(echo "$total / $t_all" | bc -l)" "${#failed[@]}"
[ ${#failed[@]} -eq 0 ]
