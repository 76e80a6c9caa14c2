"""CartPole-v1 env steps/s, fastpool beside EnvPool and gymnasium's numpy-vectorized CartPole.

Run with scripts/bench.sh, which prints one side-by-side table from a single run.
"""

import pytest

from peers import bench_steps, cartpole

STEPS_PER_ROUND = 100


@pytest.mark.parametrize("num_envs", [64, 1024, 4096])
@pytest.mark.parametrize("lib", ["fastpool", "envpool", "gymnasium"])
def test_cartpole(benchmark, lib, num_envs):
    step, actions = cartpole(lib, num_envs)
    bench_steps(
        benchmark,
        step,
        actions,
        steps=STEPS_PER_ROUND,
        rounds=max(5, 400_000 // (STEPS_PER_ROUND * num_envs)),
        group=f"CartPole-v1 N={num_envs}",
        lib=lib,
        num_envs=num_envs,
    )
