#!/usr/bin/env bash
# The test suite: install fastpool with its test extras into .venv (exact versions from
# constraints/main.txt), check the typed API, run pytest; then RLlib's test in its own
# environment (RLlib pins gymnasium==1.2.2; the main one has the newest gymnasium).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
scripts/typecheck.sh
.venv/bin/python -m pytest -q tests "$@"
VENV=.venv-rllib CONSTRAINTS=constraints/rllib.txt scripts/setup.sh rllib,sanitize
.venv-rllib/bin/python -m pytest -q -p no:cacheprovider tests/test_ray.py tests/test_docs.py -k rllib
