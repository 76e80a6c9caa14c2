#!/usr/bin/env bash
# Install fastpool into .venv built with profile-guided optimization (GCC): an instrumented
# build plays a few games (scripts/pgo_workload.py), then the optimized build uses that profile.
# About 3 minutes on 2 cores. Usage: scripts/pgo.sh [extras]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh "${1:-}"
profile="$PWD/build/pgo-profile"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
rm -rf "$profile"
export PIP_CONSTRAINT="$PWD/constraints/main.txt $PWD/constraints/build.txt"
pgo() {  # one build in the shared build folder
  .venv/bin/python -m pip install -q --no-deps --config-settings=build-dir=build/pgo \
    --config-settings=cmake.define.FASTPOOL_PGO_DIR="$profile" --config-settings=cmake.define.FASTPOOL_PGO="$@"
}
pgo generate --target "$stage" .
PYTHONPATH="$stage" .venv/bin/python scripts/pgo_workload.py
pgo use --force-reinstall .
echo "fastpool built with profile-guided optimization in .venv"
