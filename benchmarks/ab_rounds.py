"""Two builds of fastpool side by side: env steps per second of one env id at one size, each
build in its own process, in alternated rounds (the order flipped every round), so machine
drift falls on both. A build is a directory that holds the `fastpool` package with its compiled
`_core` (e.g. a checkout's `python/` with the extension copied in, or a venv's site-packages).

    python benchmarks/ab_rounds.py --a OLD_DIR --b NEW_DIR --env CartPole-v1 --num-envs 64 \\
        --rounds 6 --save benchmarks/results/ab/cartpole_n64.json

With --batch-size below --num-envs, the async loop instead: recv() a batch, send() its envs
their next actions.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROBE = """
import sys, fastpool
from fastpool.__main__ import steps_per_second
print(fastpool.__file__, file=sys.stderr)
print(steps_per_second(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])))
"""


ASYNC_PROBE = """
import sys, time, numpy as np, fastpool
print(fastpool.__file__, file=sys.stderr)
env_id, n, seconds, threads, batch = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
env = fastpool.make(env_id, num_envs=n, seed=0, num_threads=threads, batch_size=batch)
actions = np.random.default_rng(0).integers(0, env.single_action_space.n, size=(64, batch))
env.async_reset()
for t in range(20):  # warm-up
    env.send(actions[t % 64], env.recv()[4]["env_id"])
steps, start = 0, time.perf_counter()
while (elapsed := time.perf_counter() - start) < seconds:
    for a in actions:
        env.send(a, env.recv()[4]["env_id"])
    steps += len(actions)
print(steps * batch / elapsed)
"""


def rate(build: Path, env: str, n: int, seconds: float, threads: int, batch: int) -> float:
    env_vars = {**os.environ, "PYTHONPATH": str(build)}
    if batch < n:
        cmd = [sys.executable, "-c", ASYNC_PROBE, env, str(n), str(seconds), str(threads), str(batch)]
    else:
        cmd = [sys.executable, "-c", PROBE, env, str(n), str(seconds), str(threads)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env_vars)
    if not out.stderr.strip().startswith(str(build)):
        raise RuntimeError(f"{build} did not provide fastpool: {out.stderr.strip()}")
    return float(out.stdout)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--a", type=Path, required=True, help="the first build (before)")
    p.add_argument("--b", type=Path, required=True, help="the second build (after)")
    p.add_argument("--env", default="CartPole-v1")
    p.add_argument("--num-envs", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch-size", type=int, help="async: results per recv() (default: every env, sync)")
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--rounds", type=int, default=6)
    p.add_argument("--save", type=Path)
    args = p.parse_args()
    batch = args.batch_size or args.num_envs
    a: list[float] = []
    b: list[float] = []
    builds = [args.a.resolve(), args.b.resolve()]
    for r in range(args.rounds):
        order = (0, 1) if r % 2 == 0 else (1, 0)
        for k in order:
            (a if k == 0 else b).append(rate(builds[k], args.env, args.num_envs, args.seconds, args.threads, batch))
        print(f"round {r + 1}: a {a[-1]:,.0f}  b {b[-1]:,.0f}  b/a {b[-1] / a[-1]:.3f}", flush=True)
    ratios = [y / x for x, y in zip(a, b)]
    size = f"N={args.num_envs}" + (f" batch {batch}" if batch < args.num_envs else "")
    print(f"{args.env} {size}, {args.threads} threads: b/a median {statistics.median(ratios):.3f}")
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps({
            "env": args.env, "num_envs": args.num_envs, "batch_size": batch, "threads": args.threads, "seconds": args.seconds,
            "a": str(args.a), "b": str(args.b), "a_steps_per_s": a, "b_steps_per_s": b,
            "b_over_a": ratios, "median": statistics.median(ratios), "date": time.strftime("%Y-%m-%d"),
        }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
