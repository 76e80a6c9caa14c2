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
    actions = np.random.default_rng(0).integers(0, 2, size=num_envs)
    if lib == "fastpool":
        import fastpool

        env = fastpool.make("CartPole-v1", num_envs=num_envs, seed=0, num_threads=min(THREADS, num_envs))
    elif lib == "envpool":
        envpool = pytest.importorskip("envpool")
        env = envpool.make_gymnasium("CartPole-v1", num_envs=num_envs, seed=0, num_threads=THREADS)
    elif lib == "gymnasium-numpy":
        import gymnasium as gym

        env = gym.make_vec("CartPole-v1", num_envs=num_envs, vectorization_mode="vector_entry_point")
    else:
        raise ValueError(lib)
    env.reset(seed=0)
    return env.step, actions
