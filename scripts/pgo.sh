#!/usr/bin/env bash
# Install fastpool into .venv built with profile-guided optimization (GCC): an instrumented
# build plays a few games (scripts/pgo_profile.sh), then the optimized build uses that profile.
# About 4 minutes on 2 cores. Usage: scripts/pgo.sh [extras]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh "${1:-}"
export PIP_CONSTRAINT="$PWD/constraints/main.txt $PWD/constraints/build.txt"
scripts/pgo_profile.sh .venv/bin/python
.venv/bin/python -m pip install -q --no-deps --force-reinstall --config-settings=build-dir="build/pgo-{wheel_tag}" \
  --config-settings=cmake.define.FASTPOOL_PGO=use .
echo "fastpool built with profile-guided optimization in .venv"
