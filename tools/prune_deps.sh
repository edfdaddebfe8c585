#!/usr/bin/env bash
# tools/prune_deps.sh DIR - run on the object directory of a Verilated model (mk/verilator.mk)
# after Verilator and before its generated makefile: drops every compiler dependency file
# (*.d) there that names a file which no longer exists, with the object it describes. A header
# that moved or went away since the last build (Verilator's generated files, the Verilator
# runtime, a bench's header in an object directory of the old `verilator --exe` benches) then
# makes that object rebuild, instead of stopping make with "No rule to make target". Paths in
# these files are absolute or relative to DIR. Verilator's own *__ver.d is left alone: its
# paths are relative to the repository and the generated makefile never builds its targets.
set -euo pipefail
dir=$1
[ -d "$dir" ] || exit 0
cd "$dir"
shopt -s nullglob
for d in *.d; do
  case "$d" in *__ver.d) continue ;; esac
  # the prerequisites: the text after the first ':' of each rule, continuation lines joined
  for f in $(sed -e ':a' -e '/\\$/{N; s/\\\n/ /; ba' -e '}' "$d" | sed -n 's/^[^:]*:\(.*\)$/\1/p'); do
    [ "$f" != '\' ] || continue
    if [ ! -e "$f" ]; then
      echo "prune_deps: $dir/$d names $f, which is gone: rebuilding ${d%.d}.o"
      rm -f "$d" "${d%.d}.o"
      break
    fi
  done
done
