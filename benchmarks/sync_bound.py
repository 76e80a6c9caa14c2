"""How close to linear can a sync Atari pool scale? Measures every env step's time (resets
included) for N envs, then replays each step's work through an ideal longest-first schedule on
T threads: the step ends when its longest thread does. The ratio of the work to T times that
span bounds any sync pool's scaling on this workload, however it schedules.

    python benchmarks/sync_bound.py [--steps 1500] [--envs 8 64 256] [--threads 2 8 16] [--save FILE]

--save keeps the bounds as JSON (benchmarks/results/sync_bound.json: the FAQ's figures).

A reset (ALE's start-up frames plus the no-ops) is one piece of about 20 steps' emulation that
no other thread can share, and every env's step waits for it in sync mode.
"""

from __future__ import annotations

import argparse
import heapq
import json
import platform
import time
from pathlib import Path

import numpy as np

import fastpool


def step_times(num_envs: int, steps: int) -> np.ndarray:
    """steps x num_envs seconds: each env is its own one-env pool, stepped in turn on this thread."""
    envs = [fastpool.make("BreakoutNoFrameskip-v4", num_envs=1, num_threads=1, seed=i) for i in range(num_envs)]
    for env in envs:
        env.reset()
    actions = np.random.default_rng(0).integers(0, 4, size=(steps, num_envs, 1))
    times = np.empty((steps, num_envs))
    for t in range(steps):
        for i, env in enumerate(envs):
            start = time.perf_counter()
            env.step(actions[t, i])  # next-step autoreset: an ended episode resets here
            times[t, i] = time.perf_counter() - start
    for env in envs:
        env.close()
    return times


def bound(times: np.ndarray, threads: int) -> float:
    span = 0.0
    for row in times:
        loads = [0.0] * threads
        for job in sorted(row, reverse=True):
            heapq.heappush(loads, heapq.heappop(loads) + job)
        span += max(loads)
    return float(times.sum() / threads / span)


def _cpu() -> str:
    try:
        return next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if "model name" in line)
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=1500)
    p.add_argument("--envs", type=int, nargs="+", default=[8, 64, 256])
    p.add_argument("--threads", type=int, nargs="+", default=[2, 8, 16])
    p.add_argument("--save", type=Path, help="JSON file for the bounds")
    args = p.parse_args()
    times = step_times(max(args.envs), args.steps)
    resets = times > 5 * np.median(times)
    print(
        f"Breakout, random actions, {args.steps} steps: median env step {np.median(times) * 1e6:.0f} us, "
        f"resets {resets.mean():.2%} of steps and {times[resets].sum() / times.sum():.1%} of the work "
        f"({times[resets].mean() * 1e3:.1f} ms each)"
    )
    bounds = [
        {"envs": n, "threads": t, "bound": bound(times[:, :n], t)} for n in args.envs for t in args.threads if t <= n
    ]
    print("envs  threads  bound (of linear)")
    for b in bounds:
        print(f"{b['envs']:4d}  {b['threads']:7d}  {b['bound']:.2f}")
    if args.save:
        args.save.write_text(json.dumps({
            "env": "BreakoutNoFrameskip-v4", "actions": "random", "steps": args.steps,
            "median_env_step_us": float(np.median(times) * 1e6),
            "reset_share_of_work": float(times[resets].sum() / times.sum()),
            "bounds": bounds, "machine": {"cpu": _cpu(), "python": platform.python_version()},
            "date": time.strftime("%Y-%m-%d"),
        }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
