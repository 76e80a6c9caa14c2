"""The DQN trainer: (a) end-to-end Breakout training steps/s against SB3's DQN on make_atari_env
+ SubprocVecEnv with the same hyperparameters, and with/without overlapping env steps and
learning; (b) replay bytes per transition and RSS of a filled 1M-transition buffer. Steps and
wall clock to solve are in test_learning_speed.py."""

import subprocess
import sys

import pytest

torch = pytest.importorskip("torch")

from fastpool.dqn import DQNConfig, train  # noqa: E402

# Shared by both libraries: 4 envs, 1 update of batch 32 per 4 transitions, buffer 10k.
N_ENVS, STEPS, LEARNING_STARTS = 4, 6_000, 1_000


def _fastpool_dqn(tmp_path, overlap):
    cfg = DQNConfig.for_env(
        "BreakoutNoFrameskip-v4",
        num_envs=N_ENVS,
        total_timesteps=STEPS,
        buffer_size=10_000,
        learning_starts=LEARNING_STARTS,
        train_freq=4,
        gradient_steps=1,
        batch_size=32,
        eval_freq=0,
        checkpoint_freq=0,
        device="cpu",
        run_dir=str(tmp_path),
        overlap=overlap,
    )
    return lambda: train(cfg, progress=False)


@pytest.mark.parametrize("lib", ["fastpool", "fastpool-no-overlap", "sb3-subproc"])
def test_breakout_dqn_training_speed(benchmark, tmp_path, lib):
    if lib.startswith("fastpool"):
        run = _fastpool_dqn(tmp_path, overlap=lib == "fastpool")
    else:
        pytest.importorskip("stable_baselines3")
        from stable_baselines3 import DQN
        from stable_baselines3.common.env_util import make_atari_env
        from stable_baselines3.common.vec_env import SubprocVecEnv, VecFrameStack

        from peers import _gym_breakout_v4

        env = VecFrameStack(make_atari_env(_gym_breakout_v4, n_envs=N_ENVS, seed=0, vec_env_cls=SubprocVecEnv), 4)
        model = DQN(
            "CnnPolicy",
            env,
            buffer_size=10_000,
            learning_starts=LEARNING_STARTS,
            train_freq=1,
            gradient_steps=1,
            batch_size=32,
            seed=0,
            device="cpu",
            optimize_memory_usage=False,
        )
        run = lambda: model.learn(STEPS)
    benchmark.group = "DQN training, Breakout, 4 envs"
    benchmark.extra_info.update(lib=lib, num_envs=N_ENVS, env_steps=STEPS)
    benchmark.pedantic(run, rounds=1, warmup_rounds=0)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_replay_memory_for_a_million_atari_transitions(benchmark):
    code = """
import numpy as np, os
from fastpool.dqn import ReplayBuffer
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
before = rss()
rb = ReplayBuffer(1_000_000, 8, (4, 84, 84), np.uint8, 4)
obs = np.random.default_rng(0).integers(0, 256, size=(8, 4, 84, 84), dtype=np.uint8)
z = np.zeros(8)
for _ in range(1_000_000 // 8):
    rb.add(obs, z.astype(int), z, obs, z.astype(bool), z.astype(bool))
print(rb.nbytes, rss() - before)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    nbytes, rss = map(int, out.stdout.split())
    benchmark.group = "memory"
    benchmark.extra_info.update(
        lib="fastpool replay 1M",
        rss_bytes=rss,
        nbytes=nbytes,
        env_steps=1,
        bytes_per_transition=nbytes / 1_000_000,
    )
    benchmark.pedantic(lambda: None, rounds=1)
    assert rss < 7.5e9
