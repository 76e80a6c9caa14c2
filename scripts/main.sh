#!/usr/bin/env bash
# The main job: install fastpool into .venv and run the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/python -m fastpool demo "$@"
