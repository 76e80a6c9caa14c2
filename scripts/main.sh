#!/usr/bin/env bash
# The main job: install fastpool into .venv and train DQN on CartPole until solved.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh train
exec .venv/bin/fastpool train dqn --env CartPole-v1 "$@"
