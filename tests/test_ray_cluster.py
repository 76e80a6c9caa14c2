"""The Ray backend across nodes: a local cluster of a head and two worker nodes (separate
raylets and object stores on this machine, as Ray's own tests simulate a cluster)."""

import numpy as np
import pytest

ray = pytest.importorskip("ray")
cluster_utils = pytest.importorskip("ray.cluster_utils")

import fastpool  # noqa: E402


@pytest.fixture(scope="module")
def nodes():
    cluster = cluster_utils.Cluster(initialize_head=True, head_node_args={"num_cpus": 0, "include_dashboard": False})
    node_ids = [cluster.add_node(num_cpus=4).node_id for _ in range(2)]
    ray.init(address=cluster.address, log_to_driver=False, configure_logging=False)
    cluster.wait_for_nodes()
    yield node_ids
    ray.shutdown()
    cluster.shutdown()


def test_one_pool_per_node_with_the_local_pools_trajectories(nodes):
    # each node could hold both 1-CPU workers: they still spread, one per node
    env = fastpool.make("Breakout", num_envs=8, seed=5, backend="ray", num_workers=2, num_threads=1, episodic_life=True)
    local = fastpool.make("Breakout", num_envs=8, seed=5, episodic_life=True)
    try:
        where = ray.get([w.__ray_call__.remote(lambda _: ray.get_runtime_context().get_node_id()) for w in env.workers])
        assert sorted(where) == sorted(nodes)
        np.testing.assert_array_equal(env.reset()[0], local.reset()[0])
        rng = np.random.default_rng(1)
        for _ in range(40):
            a = rng.integers(0, 4, size=8)
            for x, y in zip(env.step(a)[:4], local.step(a)[:4]):
                np.testing.assert_array_equal(x, y)
    finally:
        env.close()
        local.close()


def test_async_reset_results_look_like_a_local_pools_and_mix_with_steps(nodes):
    """4 workers of 1 env, batch_size 2: one recv() may join a reset result and a step result."""
    env = fastpool.make("CartPole-v1", num_envs=4, seed=0, backend="ray", num_workers=4, batch_size=2)
    local = fastpool.make("CartPole-v1", num_envs=4, seed=0, batch_size=2)
    try:
        obs, info = env.reset()  # as a local pool: the first batch_size envs
        assert obs.shape == (2, 4) == local.reset()[0].shape
        ids = info["env_id"]
        env.send(np.zeros(2, dtype=np.int64), ids)  # in flight now: 2 resets and 2 steps
        for _ in range(2):
            _, reward, terminated, truncated, info = env.recv()
            assert reward.dtype == np.float64 and terminated.dtype == truncated.dtype == bool
            assert reward.shape == terminated.shape == (2,)
    finally:
        env.close()
        local.close()
