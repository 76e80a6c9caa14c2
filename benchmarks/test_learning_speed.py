"""Learning speed: wall clock (process start to exit, so imports and start-up count) and env steps
until a greedy evaluation on a separate pool reaches the env's threshold.

CPU: CartPole with PQN (5 seeds), fastpool's DQN (3 seeds) and SB3's DQN on gymnasium's env with
the same rl-zoo hyperparameters (3 seeds); Acrobot and MountainCar with the presets. GPU (where
CUDA is present): Pong and Breakout with PQN, see scripts/gpu_check.sh for the full-size run.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest

pytest.importorskip("torch")

SOLVED = re.compile(r"^(solved|finished) (\S+) after ([\d,]+) env steps; best eval mean return (\S+)", re.M)


def _fastpool(algo: str, env: str, seed: int, tmp_path, *extra: str, device: str = "cpu") -> dict:
    cmd = [sys.executable, "-m", "fastpool", "train", algo, "--env", env, "--seed", str(seed), "--device", device]
    return _timed([*cmd, "--no-progress", "--run-dir", str(tmp_path), *extra])


def _timed(cmd: list[str]) -> dict:
    """Run a training command; its wall clock and what its last line says."""
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    status, _, steps, best = SOLVED.search(out.stdout).groups()
    return {"solved": status == "solved", "steps_to_solve": int(steps.replace(",", "")), "best_eval": float(best),
            "wall_s": wall}  # fmt: skip


def _record(benchmark, group: str, lib: str, run) -> dict:
    result: dict = {}
    benchmark.group = group
    benchmark.pedantic(lambda: result.update(run()), rounds=1)
    benchmark.extra_info.update(lib=lib, env_steps=result["steps_to_solve"], **result)
    return result


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_pqn_solves_cartpole(benchmark, tmp_path, seed):
    r = _record(benchmark, "CartPole-v1 to eval >= 475", f"fastpool PQN seed {seed}",
                lambda: _fastpool("pqn", "CartPole-v1", seed, tmp_path))  # fmt: skip
    assert r["solved"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_dqn_solves_cartpole(benchmark, tmp_path, seed):
    r = _record(benchmark, "CartPole-v1 to eval >= 475", f"fastpool DQN seed {seed}",
                lambda: _fastpool("dqn", "CartPole-v1", seed, tmp_path))  # fmt: skip
    assert r["solved"]


SB3_CARTPOLE = """
import sys, gymnasium as gym
from stable_baselines3 import DQN
from stable_baselines3.common.callbacks import EvalCallback, StopTrainingOnRewardThreshold
seed = int(sys.argv[1])
model = DQN("MlpPolicy", gym.make("CartPole-v1"), learning_rate=2.3e-3, batch_size=64, buffer_size=100_000,
            learning_starts=1000, gamma=0.99, target_update_interval=10, train_freq=256, gradient_steps=128,
            exploration_fraction=0.16, exploration_final_eps=0.04, policy_kwargs=dict(net_arch=[256, 256]),
            seed=seed, device="cpu")
stop = StopTrainingOnRewardThreshold(reward_threshold=475, verbose=0)
cb = EvalCallback(gym.make("CartPole-v1"), eval_freq=5000, n_eval_episodes=10, callback_on_new_best=stop, verbose=0)
model.learn(50_000, callback=cb)
status = "solved" if cb.best_mean_reward >= 475 else "finished"
print(f"{status} CartPole-v1 after {model.num_timesteps:,} env steps; best eval mean return {cb.best_mean_reward:.1f}")
"""


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sb3_dqn_on_cartpole(benchmark, seed):
    pytest.importorskip("stable_baselines3")
    _record(benchmark, "CartPole-v1 to eval >= 475", f"SB3 DQN seed {seed}",
            lambda: _timed([sys.executable, "-c", SB3_CARTPOLE, str(seed)]))  # fmt: skip


@pytest.mark.parametrize(
    "algo, env",
    [("dqn", "Acrobot-v1"), ("pqn", "Acrobot-v1"), ("dqn", "MountainCar-v0"), ("pqn", "MountainCar-v0")],
)
def test_classic_control_presets_solve(benchmark, tmp_path, algo, env):
    threshold = {"Acrobot-v1": -100, "MountainCar-v0": -110}[env]
    r = _record(benchmark, f"{env} to eval >= {threshold}", f"fastpool {algo.upper()} seed 1",
                lambda: _fastpool(algo, env, 1, tmp_path))  # fmt: skip
    assert r["solved"]


@pytest.mark.parametrize("env, target", [("Pong", 18.0), ("Breakout", 30.0)])
def test_pqn_atari_on_a_gpu(benchmark, tmp_path, env, target):
    """A shorter scripts/gpu_check.sh: PQN's Atari preset for up to 5M env steps, stopping at the target."""
    import torch

    if not torch.cuda.is_available():
        pytest.skip("needs CUDA")
    extra = ["--total-timesteps", "5000000", "--set", f"stop_at_return={target}", "--set", "eval_freq=250_000"]
    r = _record(benchmark, f"{env} PQN on a GPU to {target}", "fastpool PQN",
                lambda: _fastpool("pqn", env, 1, tmp_path, *extra, device="cuda"))  # fmt: skip
    assert r["solved"]
