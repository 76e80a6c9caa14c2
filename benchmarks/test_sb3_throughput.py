"""The SB3 adapter: its step rate against the raw pool's (target >= 90%), and SB3 DQN training
speed on fastpool against make_atari_env on SubprocVecEnv, same hyperparameters, same run."""

import numpy as np
import pytest

pytest.importorskip("stable_baselines3")

import fastpool
from peers import _gym_breakout_v4, bench_steps

STEPS = 50


@pytest.mark.parametrize("env_id, n", [("Breakout", 8), ("CartPole-v1", 64)])
@pytest.mark.parametrize("lib", ["fastpool", "fastpool-sb3"])
def test_adapter_overhead(benchmark, lib, env_id, n):
    actions = np.random.default_rng(0).integers(0, 2, size=n)
    if lib == "fastpool":
        env = fastpool.make(env_id, num_envs=n, seed=0, autoreset_mode="same_step")
        env.reset()
        step = env.step
    else:
        env = fastpool.make_sb3(env_id, n_envs=n, seed=0)
        env.reset()
        step = env.step

    bench_steps(
        benchmark,
        step,
        actions,
        steps=STEPS,
        rounds=max(5, 20000 // (STEPS * n)),
        group=f"SB3 adapter {env_id} N={n}",
        lib=lib,
        num_envs=n,
    )


@pytest.mark.parametrize("lib", ["fastpool", "sb3-subproc"])
def test_sb3_dqn_training(benchmark, lib):
    from stable_baselines3 import DQN
    from stable_baselines3.common.env_util import make_atari_env
    from stable_baselines3.common.vec_env import SubprocVecEnv, VecFrameStack

    if lib == "fastpool":
        env = fastpool.make_sb3("BreakoutNoFrameskip-v4", n_envs=4, seed=0)
    else:
        env = VecFrameStack(make_atari_env(_gym_breakout_v4, n_envs=4, seed=0, vec_env_cls=SubprocVecEnv), 4)
    model = DQN(
        "CnnPolicy",
        env,
        buffer_size=10_000,
        learning_starts=1000,
        train_freq=4,
        batch_size=32,
        seed=0,
        device="cpu",
    )
    timesteps = 4000
    benchmark.group = "SB3 DQN CnnPolicy training, Breakout n_envs=4"
    benchmark.extra_info.update(lib=lib, num_envs=4, env_steps=timesteps)
    benchmark.pedantic(lambda: model.learn(timesteps, reset_num_timesteps=False), rounds=1, warmup_rounds=0)
    env.close()
