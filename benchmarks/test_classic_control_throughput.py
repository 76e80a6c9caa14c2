"""Acrobot, MountainCar, MountainCarContinuous and Pendulum env steps/s: fastpool beside EnvPool
and gymnasium's vector env (SyncVectorEnv: gymnasium ships a numpy-vectorized version of
CartPole only). Run with scripts/bench.sh, which prints one table from a single run.
"""

import pytest

from peers import bench_steps, classic_control

STEPS_PER_ROUND = 100


@pytest.mark.parametrize("num_envs", [64, 1024])
@pytest.mark.parametrize("lib", ["fastpool", "envpool", "gymnasium"])
@pytest.mark.parametrize("env_id", ["Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1"])
def test_classic_control(benchmark, env_id, lib, num_envs):
    step, actions = classic_control(lib, env_id, num_envs)
    rounds = max(3, 200_000 // (STEPS_PER_ROUND * num_envs)) if lib != "gymnasium" else 3
    bench_steps(
        benchmark,
        step,
        actions,
        steps=STEPS_PER_ROUND,
        rounds=rounds,
        group=f"{env_id} N={num_envs}",
        lib=lib,
        num_envs=num_envs,
    )
