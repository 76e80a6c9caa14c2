#!/usr/bin/env bash
# Create a virtual environment (if missing) and install fastpool with the given extras, at
# the exact versions of a constraints file (pyproject.toml states only ranges).
# Usage: scripts/setup.sh [extras]          e.g. scripts/setup.sh test,bench
#   VENV=.venv-rllib CONSTRAINTS=constraints/rllib.txt scripts/setup.sh rllib,sanitize
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
CONSTRAINTS=${CONSTRAINTS:-constraints/main.txt}
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q pip==26.3
fi
extras=${1:-}
# An environment variable, not -c: it reaches the isolated build environment too.
PIP_CONSTRAINT="$PWD/$CONSTRAINTS $PWD/constraints/build.txt" "$VENV/bin/python" -m pip install -q ".${extras:+[$extras]}"
