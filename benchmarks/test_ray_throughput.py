"""The Ray backend's cost: Breakout N=64 over 2 actors (1 thread each) against a local pool of
64 envs on 2 threads, same run (target: at most 10% slower)."""

import numpy as np
import pytest

ray = pytest.importorskip("ray")

import fastpool  # noqa: E402
from peers import bench_steps  # noqa: E402

N, STEPS = 64, 10


@pytest.fixture(scope="module", autouse=True)
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


@pytest.mark.parametrize("lib", ["fastpool", "fastpool-ray"])
def test_breakout_over_ray(benchmark, lib):
    if lib == "fastpool":
        env = fastpool.make("Breakout", num_envs=N, seed=0, num_threads=2)
    else:
        env = fastpool.make("Breakout", num_envs=N, seed=0, backend="ray", num_workers=2, num_threads=1)
    obs, _ = env.reset()
    actions = np.random.default_rng(0).integers(0, 4, size=N)
    benchmark.extra_info["bytes_per_step"] = int(obs.nbytes + N * (8 + 1 + 1) + actions.nbytes)
    bench_steps(
        benchmark,
        env.step,
        actions,
        steps=STEPS,
        rounds=8,
        group=f"Breakout N={N} threads=2 (Ray)",
        lib=lib,
        num_envs=N,
    )
    env.close()
