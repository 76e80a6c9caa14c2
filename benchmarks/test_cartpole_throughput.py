"""CartPole-v1 env steps/s, fastpool beside EnvPool and gymnasium's numpy-vectorized CartPole.

Run with scripts/bench.sh, which prints one side-by-side table from a single run.
"""

import pytest
from peers import cartpole

STEPS_PER_ROUND = 100


@pytest.mark.parametrize("num_envs", [64, 1024, 4096])
@pytest.mark.parametrize("lib", ["fastpool", "envpool", "gymnasium-numpy"])
def test_cartpole(benchmark, lib, num_envs):
    step, actions = cartpole(lib, num_envs)

    def run():
        for _ in range(STEPS_PER_ROUND):
            step(actions)

    benchmark.group = f"CartPole-v1 N={num_envs}"
    benchmark.extra_info.update(lib=lib, num_envs=num_envs, env_steps=STEPS_PER_ROUND * num_envs)
    benchmark.pedantic(run, rounds=max(5, 400_000 // (STEPS_PER_ROUND * num_envs)), warmup_rounds=1)
