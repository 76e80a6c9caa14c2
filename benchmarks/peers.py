"""Pool factories for fastpool and its peers, each returning a `step(actions)` callable.

A peer that isn't installed raises pytest's Skipped, so benchmarks run with what is there.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

THREADS = os.cpu_count() or 1


def cartpole(lib: str, num_envs: int):
    """(step, actions) for CartPole-v1 with num_envs envs in library `lib`."""
    return classic_control(lib, "CartPole-v1", num_envs)


def classic_control(lib: str, env_id: str, num_envs: int):
    """(step, actions) for a classic-control env: fastpool, EnvPool, or gymnasium's vector env
    (its numpy-vectorized one where gymnasium ships one, CartPole; else SyncVectorEnv)."""
    if lib == "fastpool":
        import fastpool

        env = fastpool.make(env_id, num_envs=num_envs, seed=0, num_threads=min(THREADS, num_envs))
    elif lib == "envpool":
        envpool = pytest.importorskip("envpool")
        env = envpool.make_gymnasium(env_id, num_envs=num_envs, seed=0, num_threads=THREADS)
    elif lib == "gymnasium":
        import gymnasium as gym

        mode = "vector_entry_point" if gym.spec(env_id).vector_entry_point else "sync"
        env = gym.make_vec(env_id, num_envs=num_envs, vectorization_mode=mode)
    else:
        raise ValueError(lib)
    env.reset(seed=0)
    space = getattr(env, "single_action_space", env.action_space)  # EnvPool's is one env's
    rng = np.random.default_rng(0)
    if hasattr(space, "n"):
        actions = rng.integers(0, space.n, size=num_envs)
    else:
        actions = rng.uniform(space.low, space.high, size=(num_envs, *space.shape)).astype(np.float32)
    return env.step, actions


def breakout(lib: str, num_envs: int, num_threads: int):
    """(step, actions) for Breakout with DQN preprocessing (frame skip 4, 84x84 gray, stack 4)."""
    actions = np.random.default_rng(0).integers(0, 4, size=num_envs)
    if lib == "fastpool":
        import fastpool

        env = fastpool.make("Breakout-v5", num_envs=num_envs, seed=0, num_threads=num_threads)
    elif lib == "envpool":
        envpool = pytest.importorskip("envpool")
        env = envpool.make_gymnasium("Breakout-v5", num_envs=num_envs, seed=0, num_threads=num_threads)
    elif lib == "ale-py":
        from ale_py.vector_env import AtariVectorEnv

        env = AtariVectorEnv("breakout", num_envs=num_envs, num_threads=num_threads, repeat_action_probability=0.25)
    elif lib == "gymnasium-async":
        env = _gym_atari_async(num_envs)
    elif lib == "sb3-subproc":
        pytest.importorskip("stable_baselines3")
        from stable_baselines3.common.env_util import make_atari_env
        from stable_baselines3.common.vec_env import SubprocVecEnv, VecFrameStack

        vec = VecFrameStack(
            make_atari_env(_gym_breakout_v4, n_envs=num_envs, seed=0, vec_env_cls=SubprocVecEnv), n_stack=4
        )
        vec.reset()

        def sb3_step(a):
            return vec.step(a)

        return sb3_step, actions
    else:
        raise ValueError(lib)
    env.reset(seed=0)
    return env.step, actions


def _gym_breakout_v4(**kwargs):
    """gym.make("BreakoutNoFrameskip-v4") in a worker process, which must register ale-py's envs."""
    import ale_py
    import gymnasium as gym

    gym.register_envs(ale_py)
    return gym.make("BreakoutNoFrameskip-v4", **kwargs)


def _gym_atari_async(num_envs: int):
    import ale_py
    import gymnasium as gym

    gym.register_envs(ale_py)

    def make():
        env = gym.make("ALE/Breakout-v5", frameskip=1)
        env = gym.wrappers.AtariPreprocessing(env, frame_skip=4, screen_size=84)
        return gym.wrappers.FrameStackObservation(env, 4)

    return gym.vector.AsyncVectorEnv([make for _ in range(num_envs)])


def raw_ale_frames_step():
    """One ale_py.ALEInterface, frame skip 1: the emulator alone (the ceiling, per thread)."""
    import ale_py
    from ale_py import roms

    ale = ale_py.ALEInterface()
    ale.setLoggerMode(ale_py.LoggerMode.Error)
    ale.setInt("random_seed", 0)
    ale.loadROM(roms.get_rom_path("breakout"))
    actions = ale.getMinimalActionSet()
    rng = np.random.default_rng(0)
    choice = rng.integers(0, len(actions), size=4096)
    state = {"i": 0}

    def frame():
        a = actions[choice[state["i"] & 4095]]
        state["i"] += 1
        ale.act(a)
        if ale.game_over():
            ale.reset_game()

    return frame


def bench_steps(benchmark, step, actions, *, steps: int, rounds: int, group: str, lib: str, num_envs: int) -> None:
    """Time `steps` calls of step(actions) per round; record env steps for compare.py."""

    def run():
        for _ in range(steps):
            step(actions)

    benchmark.group = group
    benchmark.extra_info.update(lib=lib, num_envs=num_envs, env_steps=steps * num_envs)
    benchmark.pedantic(run, rounds=rounds, warmup_rounds=1)
