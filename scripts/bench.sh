#!/usr/bin/env bash
# Benchmarks: fastpool side by side with its peers (EnvPool, ale-py, gymnasium, SB3), one table.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh bench,envpool,ray
exec .venv/bin/python benchmarks/compare.py "$@"
