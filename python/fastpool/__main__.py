"""Command line: `python -m fastpool` (or `fastpool`)."""

from __future__ import annotations

import argparse
import time

import numpy as np

import fastpool


def steps_per_second(env_id: str, num_envs: int, seconds: float, num_threads: int | None = None) -> float:
    """Sync steps of uniform random actions for about `seconds`; env steps per second."""
    env = fastpool.make(env_id, num_envs=num_envs, seed=0, num_threads=num_threads)
    env.reset()
    actions = np.random.default_rng(0).integers(0, env.single_action_space.n, size=(64, num_envs))
    steps, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for a in actions:
            env.step(a)
        steps += len(actions)
    env.close()
    return steps * num_envs / elapsed


def demo(args: argparse.Namespace) -> None:
    print(f"fastpool {fastpool.__version__}: {args.env} throughput, uniform random actions")
    print(f"{'num_envs':>9} {'env steps/s':>14}")
    for n in args.num_envs:
        print(f"{n:>9} {steps_per_second(args.env, n, args.seconds):>14,.0f}")


def list_cmd(args: argparse.Namespace) -> None:
    print("\n".join(fastpool.list_envs()))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="fastpool", description="Fast RL environment pools.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("demo", help="print a pool's throughput for a few sizes")
    p.add_argument("--env", default="CartPole-v1")
    p.add_argument("--num-envs", type=int, nargs="+", default=[64, 1024, 4096])
    p.add_argument("--seconds", type=float, default=2.0)
    p.set_defaults(func=demo)
    p = sub.add_parser("list", help="list env ids")
    p.set_defaults(func=list_cmd)
    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
