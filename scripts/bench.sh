#!/usr/bin/env bash
# Benchmarks: fastpool side by side with the peers installed (EnvPool, gymnasium), one table.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh bench,envpool
exec .venv/bin/python benchmarks/compare.py "$@"
