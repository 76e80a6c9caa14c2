#!/usr/bin/env bash
# PQN on Atari on one GPU machine, in 300 + 270 s of training: Pong until a greedy evaluation reaches 18
# (at most 5 minutes), then Breakout for the time left. Each run writes its learning curve,
# TensorBoard log and summary.json; the script prints one JSON summary and writes it to
# $OUT/gpu_check.json ($OUT defaults to runs/gpu_check).
#
# Needs the training set-up with a CUDA build of torch (scripts/setup.sh train, then the CUDA
# wheel), and a machine with many cores: the pool gets all but two for its threads.
# Usage: scripts/gpu_check.sh [seconds for Pong, default 300] [seconds for Breakout, default 270]
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-.venv/bin/python}
out=${OUT:-runs/gpu_check}
pong_s=${1:-300}
breakout_s=${2:-270}
mkdir -p "$out"
"$py" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else "gpu_check: torch sees no CUDA device")'
threads=$(( $(nproc) > 4 ? $(nproc) - 2 : 2 ))
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader | tee "$out/gpu.txt"

train() {  # env seconds extra...
  local env=$1 seconds=$2
  shift 2
  "$py" -m fastpool train pqn --env "$env" --device cuda --no-progress --run-dir "$out/$env" \
    --stop-after-seconds "$seconds" --set env_threads="$threads" --set eval_freq=250_000 "$@" \
    | tee "$out/$env.log"
}
train Pong "$pong_s" --set stop_at_return=18.0
train Breakout "$breakout_s" --set stop_at_return=None

"$py" - "$out" <<'EOF'
import json, sys
from pathlib import Path
out = Path(sys.argv[1])
report = {"gpu": (out / "gpu.txt").read_text().strip()}
for env in ("Pong", "Breakout"):
    run = max((out / env).glob("*__pqn__*"), key=lambda p: p.stat().st_mtime)
    report[env] = {"run_dir": str(run), **json.loads((run / "summary.json").read_text())}
(out / "gpu_check.json").write_text(json.dumps(report, indent=2))
print(json.dumps(report, indent=2))
EOF
