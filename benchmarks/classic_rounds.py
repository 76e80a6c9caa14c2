"""Classic control throughput at N=4096: fastpool on 1 and 2 threads beside gymnasium's numpy
vector env (CartPoleVectorEnv; SyncVectorEnv where gymnasium ships no numpy one), in alternated
rounds: each round measures every setup back to back, the order reversed every other round, so
the machine's drift falls on all of them; the table gives per-round ratios and their median.

    python benchmarks/classic_rounds.py [--env CartPole-v1 ...] [--rounds 6] [--seconds 2]
        [--save benchmarks/results/rounds/classic_control.json]

Each measurement runs in a fresh interpreter (this script with --one), so no pool's threads
outlive it. fastpool's rows go through fastpool.make's gymnasium front end, as users step it;
"per-env path" is the engine stepping one env per call (_core, batched=False) beside the same
engine stepping a chunk per call (batched=True), for the design's own gain.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

NUM_ENVS = 4096
# (label, library, num_threads)
SETUPS = [
    ("gymnasium vector env", "gymnasium", 1),
    ("fastpool, 1 thread", "fastpool", 1),
    ("fastpool, 2 threads", "fastpool", 2),
    ("engine batched, 1 thread", "core-batched", 1),
    ("engine per-env path, 1 thread", "core-per-env", 1),
]
# goal: fastpool on 2 threads >= 3x gymnasium, and per thread faster than numpy
RATIOS = [
    ("fastpool 2 threads / gymnasium", "fastpool, 2 threads", "gymnasium vector env"),
    ("fastpool 1 thread / gymnasium", "fastpool, 1 thread", "gymnasium vector env"),
    ("fastpool 2 threads / 1 thread", "fastpool, 2 threads", "fastpool, 1 thread"),
    ("engine batched / per-env path", "engine batched, 1 thread", "engine per-env path, 1 thread"),
]


def _step_fn(lib: str, env_id: str, num_envs: int, num_threads: int):
    """(step, action table) for one setup; step(actions) advances every env once."""
    import gymnasium as gym
    import numpy as np

    rng = np.random.default_rng(0)
    if lib == "gymnasium":
        mode = "vector_entry_point" if gym.spec(env_id).vector_entry_point else "sync"
        env = gym.make_vec(env_id, num_envs=num_envs, vectorization_mode=mode)
        env.reset(seed=0)
        space = env.single_action_space
        step = env.step
    elif lib == "fastpool":
        import fastpool

        env = fastpool.make(env_id, num_envs=num_envs, num_threads=num_threads, seed=0)
        env.reset()
        space = env.single_action_space
        step = env.step
    elif lib in ("core-batched", "core-per-env"):
        import fastpool
        from fastpool import _core

        entry = fastpool.registry.resolve(env_id)
        pool = _core.make_classic_control(
            entry.core_name, num_envs, num_threads, num_envs, _core.Autoreset.NEXT_STEP, 0,
            entry.defaults["max_episode_steps"], batched=lib == "core-batched",
        )  # fmt: skip
        pool.reset(None)
        space = gym.make(env_id).action_space
        step = pool.step
    else:
        raise ValueError(f"unknown library {lib!r}")
    if hasattr(space, "n"):
        actions = rng.integers(0, space.n, size=(64, num_envs))
    else:
        actions = rng.uniform(space.low, space.high, size=(64, num_envs, *space.shape)).astype(np.float32)
    return step, actions


def one(lib: str, env_id: str, num_envs: int, num_threads: int, seconds: float) -> float:
    """Env steps per second of one setup, in this interpreter."""
    step, actions = _step_fn(lib, env_id, num_envs, num_threads)
    for a in actions[:8]:  # warm-up
        step(a)
    steps, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for a in actions:
            step(a)
        steps += len(actions)
    return steps * num_envs / elapsed


def rate(lib: str, env_id: str, num_envs: int, num_threads: int, seconds: float) -> float:
    cmd = [sys.executable, __file__, "--one", lib, env_id, str(num_envs), str(num_threads), str(seconds)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def cpu_model() -> str:
    try:  # Linux names the model here; elsewhere the architecture must do
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        lib, env_id, n, threads, seconds = sys.argv[2:7]
        print(one(lib, env_id, int(n), int(threads), float(seconds)))
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--env", nargs="+", default=["CartPole-v1"], help="gymnasium ids (default: CartPole-v1)")
    p.add_argument("--num-envs", type=int, default=NUM_ENVS)
    p.add_argument("--rounds", type=int, default=6)
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--save", type=Path, help="write the per-round rates here as JSON")
    args = p.parse_args()
    if args.rounds < 1 or args.seconds <= 0 or args.num_envs < 1:
        sys.exit("--rounds and --num-envs must be >= 1 and --seconds > 0")

    rates: dict[str, dict[str, list[float]]] = {env_id: {} for env_id in args.env}
    for r in range(args.rounds):
        for env_id in args.env:
            order = SETUPS if r % 2 == 0 else SETUPS[::-1]
            for label, lib, threads in order:
                value = rate(lib, env_id, args.num_envs, threads, args.seconds)
                rates[env_id].setdefault(label, []).append(value)
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)

    print(f"\nenv steps/s at N={args.num_envs}; {args.rounds} alternated rounds of {args.seconds:g} s each")
    print(f"machine: {cpu_model()}, {os.cpu_count()} CPUs, CPython {platform.python_version()}")
    for env_id, by_label in rates.items():
        print(f"\n{env_id}")
        for label, *_ in SETUPS:
            print(f"  {label:<32} {statistics.median(by_label[label]):>14,.0f}")
        for name, top, bottom in RATIOS:
            values = [a / b for a, b in zip(by_label[top], by_label[bottom])]
            per_round = ", ".join(f"{x:.2f}" for x in values)
            print(f"  {name:<32} {per_round:<40} median {statistics.median(values):.2f}")
    if args.save:
        result = {
            "machine": f"{cpu_model()}, {os.cpu_count()} CPUs, CPython {platform.python_version()}",
            "num_envs": args.num_envs, "rounds": args.rounds, "seconds": args.seconds,
            "setups": [label for label, *_ in SETUPS], "rates": rates, "date": time.strftime("%Y-%m-%d"),
        }  # fmt: skip
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
