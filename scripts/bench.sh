#!/usr/bin/env bash
# Benchmarks: fastpool side by side with its peers, built as a release wheel would be (profile-
# guided), then two tables: the pytest-benchmark run beside EnvPool 1.2.5, ale-py, gymnasium and
# SB3, and Atari in alternated rounds beside EnvPool 1.2.7 (in .venv-peers: it needs CPython >= 3.12).
# Both keep their results in benchmarks/results/, which the docs figures (scripts/docs.sh) are drawn from.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/pgo.sh bench,envpool,ray
if [ ! -x .venv-peers/bin/python ]; then
  PYENV_VERSION=${PEER_PYTHON_VERSION:-3.12.1} ${PEER_PYTHON:-python3.12} -m venv .venv-peers
fi
.venv-peers/bin/python -m pip install -q envpool==1.2.7
.venv/bin/python benchmarks/compare.py --save benchmarks/results/throughput.json "$@"
.venv/bin/python benchmarks/atari_rounds.py --rounds 6 --save benchmarks/results/rounds/atari.json
