"""Atari learning curves on this machine: a trainer run for a wall-clock budget, every greedy
evaluation (whole games on a separate pool: no episodic life, no reward clipping) with its env step
and its wall clock from process start, the training episodes' scores, and the machine named.

    python benchmarks/atari_learning.py --algo pqn --env Pong --seed 1 --minutes 30
    python benchmarks/atari_learning.py --algo pqn --env Breakout --minutes 60 --set eval_freq=250_000

Each run is its own `fastpool train` process (start-up counts); the result goes to
benchmarks/results/atari_learning/<algo>_<env>_seed<seed>.json. Run nothing else meanwhile.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "atari_learning"


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if "model name" in line)
    except (OSError, StopIteration):
        pass
    import torch

    from fastpool.training.precision import native_bf16

    return {"cpu": cpu, "cpus": len(os.sched_getaffinity(0)), "torch": torch.__version__,
            "bf16_native": native_bf16(torch.device("cpu")), "python": platform.python_version()}  # fmt: skip


def cpu_seconds() -> float | None:
    """CPU time all processes on this machine have used since boot (Linux), to tell how much of it
    went to other work during a run."""
    try:
        fields = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--algo", choices=["pqn", "dqn"], default="pqn")
    p.add_argument("--env", default="Pong")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--minutes", type=float, default=30.0)
    p.add_argument("--device", default="cpu")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="passed to fastpool train")
    p.add_argument("--out", type=Path, help="result file (default under benchmarks/results/atari_learning/)")
    args = p.parse_args()

    run_dir = Path(tempfile.mkdtemp(prefix="atari_learning_"))
    cmd = [sys.executable, "-m", "fastpool", "train", args.algo, "--env", args.env, "--seed", str(args.seed),
           "--device", args.device, "--run-dir", str(run_dir), "--no-progress",
           "--stop-after-seconds", str(args.minutes * 60), "--set", "stop_at_return=None"]  # fmt: skip
    for kv in args.set:
        cmd += ["--set", kv]
    launched, busy_before = time.time(), cpu_seconds()
    subprocess.run(cmd, check=True)
    wall = time.time() - launched
    busy_after, children = cpu_seconds(), os.times()
    own = children.children_user + children.children_system
    # Other processes' CPU seconds per wall second (0 on a quiet machine; niced work counts too).
    others = None if busy_before is None or busy_after is None else round((busy_after - busy_before - own) / wall, 2)
    run = next(run_dir.glob("*"))
    summary = json.loads((run / "summary.json").read_text())
    config = json.loads((run / "config.json").read_text())
    offset = summary["started_at"] - launched  # imports and start-up before the session's clock
    evals = [{"env_steps": s, "mean_return": r, "wall_s": round(t + offset, 1)}
             for (s, r), t in zip(summary["evals"], summary["eval_wall_s"])]  # fmt: skip
    out = {
        "algo": args.algo,
        "env": args.env,
        "seed": args.seed,
        "budget_minutes": args.minutes,
        "process_wall_s": round(wall, 1),
        "env_steps": summary["env_steps"],
        "env_steps_per_s": round(summary["env_steps"] / wall, 1),
        "cpu_cores_used": round(own / wall, 2),
        "other_processes_cpu_cores": others,
        "evals": evals,
        "best_eval": summary["best_eval"],
        "mean_of_last_100_episodes": summary["mean_of_last_100_episodes"],
        "training_episodes": summary["episodes"],
        "training_curve": summary["episode_curve"],
        "command": " ".join(["fastpool", *cmd[3:]]),
        "config": config,
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d"),
    }
    dest = args.out or RESULTS / f"{args.algo}_{args.env}_seed{args.seed}.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(out, indent=2))
    curve = run / "learning_curve.png"
    if curve.exists():
        (dest.with_suffix(".png")).write_bytes(curve.read_bytes())
    print(json.dumps({k: out[k] for k in ("env", "env_steps", "env_steps_per_s", "best_eval", "evals")}, indent=1))


if __name__ == "__main__":
    main()
