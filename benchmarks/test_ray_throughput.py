"""The Ray backend's cost on one machine, same run: Breakout N=64 over 2 actors (1 thread each)
against a local pool of 64 envs on 2 threads (target: at most 10% slower), and 1 actor against
1 thread; sync and async; the hop's latency (a near-empty CartPole step through one actor);
bytes per step."""

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


def _make(lib: str, workers: int, **kw):
    """A local pool on `workers` threads, or `workers` actors of one thread each."""
    if lib == "fastpool":
        return fastpool.make(num_threads=workers, **kw)
    return fastpool.make(backend="ray", num_workers=workers, num_threads=1, **kw)


# 2 actors: the 2 cores run the envs and Ray's own work (driver, raylet) together.
# 1 actor: the actor has a core to itself, Ray's work takes the other, as across nodes.
SETUPS = {2: "2 actors", 1: "1 actor, spare core"}


@pytest.mark.parametrize("workers", list(SETUPS))
@pytest.mark.parametrize("lib", ["fastpool", "fastpool-ray"])
def test_breakout_sync(benchmark, lib, workers):
    env = _make(lib, workers, env_id="Breakout", num_envs=N, seed=0)
    env.reset()
    actions = np.random.default_rng(0).integers(0, 4, size=N)
    group = f"Breakout N={N} threads={workers} Ray sync, {SETUPS[workers]}"
    bench_steps(benchmark, env.step, actions, steps=STEPS, rounds=8, group=group, lib=lib, num_envs=N)
    env.close()


@pytest.mark.parametrize("workers", list(SETUPS))
@pytest.mark.parametrize("lib", ["fastpool", "fastpool-ray"])
def test_breakout_async(benchmark, lib, workers):
    """Two batches in flight per actor: it steps one while the other's result travels."""
    batch = N // workers // 2
    env = _make(lib, workers, env_id="Breakout", num_envs=N, seed=0, batch_size=batch)
    env.async_reset()

    def cycle(actions):
        *_, info = env.recv()
        env.send(actions, info["env_id"])

    actions = np.random.default_rng(0).integers(0, 4, size=batch)
    group = f"Breakout N={N} threads={workers} Ray async, {SETUPS[workers]}"
    bench_steps(benchmark, cycle, actions, steps=4 * STEPS, rounds=8, group=group, lib=lib, num_envs=batch)
    env.close()


def test_hop_latency_and_bytes(benchmark):
    """One actor, one CartPole env: a step is all hop. Bytes are those of real Breakout results."""
    env = fastpool.make("CartPole-v1", num_envs=1, seed=0, backend="ray", num_workers=1)
    env.reset()
    bench_steps(
        benchmark,
        env.step,
        np.zeros(1, dtype=np.int64),
        steps=20,
        rounds=10,
        group="Ray hop: CartPole N=1, 1 actor",
        lib="fastpool-ray",
        num_envs=1,
    )
    env.close()

    env = fastpool.make("Breakout", num_envs=N, seed=0, backend="ray", num_workers=2, num_threads=1)
    env.reset()
    actions = np.zeros(N // 2, dtype=np.int64)
    received = sum(_nbytes(ray.get(w.step.remote(0, actions))) for w in env.workers)
    env.close()
    hop_ms = benchmark.stats.stats.median / 20 * 1e3
    benchmark.extra_info.update(  # scripts/docs_tables.py writes the docs' Ray figures from these
        hop_ms=hop_ms, bytes_per_env=received / N, full_stack_bytes_per_env=4 * 84 * 84, action_bytes=actions.itemsize
    )
    benchmark.extra_info["note"] = (
        f"Ray: {hop_ms:.2f} ms per step added by the hop; Breakout N={N} step: driver receives "
        f"{received / 1024:.0f} KiB ({received / N:.0f} B/env; full stacks would be {N * 4 * 84 * 84 / 1024:.0f} KiB), "
        f"sends {actions.itemsize * N} B of actions"
    )


def _nbytes(x) -> int:
    if isinstance(x, np.ndarray):
        return sum(_nbytes(v) for v in x) if x.dtype == object else x.nbytes
    if isinstance(x, dict):
        return sum(_nbytes(v) for v in x.values())
    if isinstance(x, (tuple, list)):
        return sum(_nbytes(v) for v in x)
    return 0
