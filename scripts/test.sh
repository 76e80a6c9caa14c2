#!/usr/bin/env bash
# The test suite: install fastpool with its test extras into .venv and run pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
exec .venv/bin/python -m pytest -q tests "$@"
