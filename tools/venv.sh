#!/usr/bin/env bash
# tools/venv.sh - the project-local Python environment for the plotting tools.
#
# Creates .venv/ at the top of the tree (git-ignored) with `python3 -m venv` and installs
# into it, from PyPI with pip, the one package the tools need beyond the standard library:
#   matplotlib   (tools/plot_teardown.py; pulls in numpy, pillow, contourpy, cycler,
#                 fonttools, kiwisolver, packaging, pyparsing, python-dateutil, six)
# Idempotent: does nothing when .venv already imports matplotlib. Needs python3 with the
# venv module (Debian: python3-venv). PYTHON=... picks another interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-python3}
if [ -x .venv/bin/python ] && .venv/bin/python -c 'import matplotlib' 2>/dev/null; then
  exit 0
fi
if [ ! -x .venv/bin/python ]; then
  echo "venv.sh: creating .venv with $py"
  "$py" -m venv .venv || {
    echo "venv.sh: '$py -m venv' failed (Debian/Ubuntu: apt-get install python3-venv)" >&2
    exit 1
  }
fi
echo "venv.sh: installing matplotlib into .venv"
.venv/bin/pip install -q --disable-pip-version-check matplotlib
.venv/bin/python -c 'import matplotlib; print("venv.sh: matplotlib", matplotlib.__version__)'
