"""Soak test: long runs that sample RSS and thread count; both must stay flat.

    .venv/bin/python scripts/soak.py                       # 1e8 CartPole steps, 1e7 Atari frames, 1000 make/close
    .venv/bin/python scripts/soak.py --scale 0.01          # a quick look

Growth is measured from the first sample after warm-up to the last; the bound is 1% of RSS
(and no extra threads). Linux only (reads /proc). Exits 1 if a bound is broken.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time

import numpy as np

import fastpool

BOUND = 0.01


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def threads() -> int:
    return len(os.listdir("/proc/self/task"))


def report(name: str, samples: list[tuple[float, float, int]]) -> bool:
    """samples: (progress, rss MiB, threads); the first 10% are warm-up."""
    warm = [s for s in samples if s[0] >= 0.1] or samples
    start, end = warm[0], samples[-1]
    growth = (end[1] - start[1]) / start[1]
    ok = growth < BOUND and end[2] <= start[2]
    print(
        f"{name:<34} RSS {start[1]:8.1f} -> {end[1]:8.1f} MiB ({growth:+.2%})  "
        f"threads {start[2]} -> {end[2]}  {'ok' if ok else 'GROWING'}",
        flush=True,
    )
    return ok


def soak_steps(env_id: str, num_envs: int, total_steps: int, frames_per_step: int = 1) -> list:
    env = fastpool.make(env_id, num_envs=num_envs, seed=0)
    env.reset()
    actions = np.random.default_rng(0).integers(0, env.single_action_space.n, size=(64, num_envs))
    samples, done, t = [], 0, 0
    every = max(total_steps // 20, num_envs)
    next_sample = 0
    while done < total_steps:
        env.step(actions[t % 64])
        t += 1
        done += num_envs * frames_per_step
        if done >= next_sample:
            samples.append((done / total_steps, rss_mib(), threads()))
            next_sample += every
    samples.append((1.0, rss_mib(), threads()))
    env.close()
    return samples


def soak_cycles(cycles: int) -> list:
    samples = []
    for i in range(cycles):
        env_id, n = ("CartPole-v1", 64) if i % 2 == 0 else ("Breakout", 2)
        with fastpool.make(env_id, num_envs=n, seed=i) as env:
            env.reset()
            env.step(np.zeros(n, dtype=np.int64))
        if i % max(cycles // 20, 1) == 0 or i == cycles - 1:
            gc.collect()
            samples.append((i / cycles, rss_mib(), threads()))
    return samples


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", type=float, default=1.0, help="multiply every budget by this")
    args = p.parse_args()
    if not sys.platform.startswith("linux"):
        sys.exit("soak.py reads /proc: Linux only")
    ok = True
    start = time.time()
    ok &= report(
        f"CartPole N=4096, {1e8 * args.scale:.0e} steps",
        soak_steps("CartPole-v1", 4096, int(1e8 * args.scale)),
    )
    ok &= report(
        f"Breakout N=64, {1e7 * args.scale:.0e} frames",
        soak_steps("Breakout", 64, int(1e7 * args.scale), frames_per_step=4),
    )
    ok &= report(f"make/close x {int(1000 * args.scale)}", soak_cycles(max(int(1000 * args.scale), 2)))
    print(f"soak {'passed' if ok else 'FAILED'} in {time.time() - start:.0f} s (bound: RSS growth < {BOUND:.0%})")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
