"""SB3's DQN on Atari as its users run it today, for a wall-clock budget: rl-baselines3-zoo's Atari
hyperparameters, `make_atari_env` + `SubprocVecEnv` + `VecFrameStack`, greedy evaluations of whole
games on a separate env, each with its env step and its wall clock from process start. The result
has atari_learning.py's format, so the same table and figure show both side by side.

    python benchmarks/sb3_atari_learning.py --env Breakout --seed 1 --minutes 60

The result goes to benchmarks/results/atari_learning/sb3-dqn_<env>_seed<seed>.json. Run nothing
else meanwhile.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import time
from pathlib import Path

LAUNCHED = time.time()  # before the imports: start-up counts, as it does for fastpool's runs

import gymnasium as gym  # noqa: E402
import numpy as np  # noqa: E402
from atari_learning import RESULTS, cpu_seconds, machine  # noqa: E402

# rl-baselines3-zoo's hyperparams/dqn.yml, "atari" (its n_envs default is 1).
ZOO_DQN_ATARI = {
    "buffer_size": 100_000,
    "learning_rate": 1e-4,
    "batch_size": 32,
    "learning_starts": 100_000,
    "target_update_interval": 1000,
    "train_freq": 4,
    "gradient_steps": 1,
    "exploration_fraction": 0.1,
    "exploration_final_eps": 0.01,
    "optimize_memory_usage": False,
}
ZOO_TIMESTEPS = 10_000_000  # the schedule the fractions above refer to
# An evaluation game ends after 108k frames (27k agent steps), as fastpool's evaluations do: a
# greedy policy that never loses its ball would play on for an hour.
EVAL_MAX_FRAMES = 108_000


def gym_make(env_id: str, **kwargs) -> gym.Env:
    """gym.make(env_id) in an env process too, which must register ale-py's envs first."""
    import ale_py

    gym.register_envs(ale_py)
    return gym.make(env_id, **kwargs)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--env", default="Breakout")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--minutes", type=float, default=60.0)
    p.add_argument("--n-envs", type=int, default=1, help="training envs, each in its own process")
    p.add_argument("--eval-freq", type=int, default=250_000, help="env steps between greedy evaluations")
    p.add_argument("--eval-episodes", type=int, default=8)
    p.add_argument("--out", type=Path)
    args = p.parse_args()

    import torch
    from stable_baselines3 import DQN
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.env_util import make_atari_env
    from stable_baselines3.common.evaluation import evaluate_policy
    from stable_baselines3.common.vec_env import SubprocVecEnv, VecFrameStack

    env_id = f"{args.env}NoFrameskip-v4"
    make = functools.partial(gym_make, env_id)
    envs = VecFrameStack(make_atari_env(make, args.n_envs, args.seed, vec_env_cls=SubprocVecEnv), 4)
    # Whole games: Monitor sits under AtariWrapper, so its episodes are games with raw rewards.
    eval_make = functools.partial(gym_make, env_id, max_episode_steps=EVAL_MAX_FRAMES)
    eval_env = VecFrameStack(make_atari_env(eval_make, 1, args.seed + 10_000), 4)
    evals: list[dict] = []
    budget_s = args.minutes * 60

    class Clock(BaseCallback):
        """Greedy evaluations every eval_freq env steps; stops at the wall-clock budget. The time
        spent evaluating is left out of SB3's clock: its single-env evaluation of whole games is
        slow (a greedy policy that never presses FIRE plays on to the 108k-frame cap), and
        counting it would charge SB3 for this harness rather than for training."""

        eval_s = 0.0

        def evaluate(self, step: int) -> None:
            start = time.time()
            returns, _ = evaluate_policy(self.model, eval_env, args.eval_episodes, deterministic=True)
            Clock.eval_s += time.time() - start
            evals.append({"env_steps": step, "mean_return": float(np.mean(returns)),
                          "wall_s": round(time.time() - LAUNCHED - Clock.eval_s, 1),
                          "process_wall_s": round(time.time() - LAUNCHED, 1)})  # fmt: skip
            print(f"step {step:,}: eval mean return {evals[-1]['mean_return']:.1f}", flush=True)

        def _on_step(self) -> bool:
            step = self.num_timesteps
            if step // args.eval_freq > (step - args.n_envs) // args.eval_freq:
                self.evaluate(step)
            return time.time() - LAUNCHED - Clock.eval_s < budget_s

    model = DQN("CnnPolicy", envs, seed=args.seed, device="cpu", verbose=0, **ZOO_DQN_ATARI)
    busy_before = cpu_seconds()
    clock = Clock()
    model.learn(total_timesteps=ZOO_TIMESTEPS, callback=clock)
    if not evals or evals[-1]["env_steps"] != model.num_timesteps:
        clock.evaluate(model.num_timesteps)  # the score at the budget's end
    wall = time.time() - LAUNCHED
    train_wall = wall - Clock.eval_s  # training only: see Clock
    envs.close()  # the env processes end, so their CPU time counts below
    eval_env.close()
    busy_after, times = cpu_seconds(), os.times()
    own = times.user + times.system + times.children_user + times.children_system
    steps = int(model.num_timesteps)
    episodes = [float(e["r"]) for e in model.ep_info_buffer] if model.ep_info_buffer else []
    out = {
        "algo": "sb3-dqn",
        "env": args.env,
        "seed": args.seed,
        "budget_minutes": args.minutes,
        "process_wall_s": round(wall, 1),
        "eval_s_left_out": round(Clock.eval_s, 1),
        "env_steps": steps,
        "env_steps_per_s": round(steps / train_wall, 1),
        "cpu_cores_used": round(own / wall, 2),
        "other_processes_cpu_cores": None
        if busy_before is None or busy_after is None
        else round((busy_after - busy_before - own) / wall, 2),
        "evals": evals,
        "best_eval": max((e["mean_return"] for e in evals), default=None),
        "mean_of_last_100_episodes": float(np.mean(episodes)) if episodes else None,
        "command": f"python benchmarks/sb3_atari_learning.py --env {args.env} --seed {args.seed} "
        f"--minutes {args.minutes:g} --n-envs {args.n_envs} --eval-freq {args.eval_freq}",
        "config": {
            **{"env_id": env_id, "n_envs": args.n_envs, "vec_env": "SubprocVecEnv", "frame_stack": 4},
            **{"total_timesteps": ZOO_TIMESTEPS, **ZOO_DQN_ATARI},
        },
        "machine": {**machine(), "torch_threads": torch.get_num_threads()},
        "date": time.strftime("%Y-%m-%d"),
    }
    dest = args.out or RESULTS / f"sb3-dqn_{args.env}_seed{args.seed}.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(out, indent=2))
    print(json.dumps({k: out[k] for k in ("env", "env_steps", "env_steps_per_s", "best_eval", "evals")}, indent=1))


if __name__ == "__main__":
    main()
