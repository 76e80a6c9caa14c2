"""Per-env seed streams: distinct across envs, reproducible for any thread count and mode."""

import hashlib

import numpy as np
import pytest

import fastpool


def _trajectory(num_threads, seed=42, n=16, steps=300, batch_size=None):
    """Each env's own sequence of (obs, reward, terminated, truncated), hashed per env."""
    rng = np.random.default_rng(0)
    actions = rng.integers(0, 2, size=(steps + 1, n))
    hashes = [hashlib.sha256() for _ in range(n)]
    env = fastpool.make("CartPole-v1", num_envs=n, seed=seed, num_threads=num_threads, batch_size=batch_size)
    if batch_size is None:
        obs, _ = env.reset()
        for i in range(n):
            hashes[i].update(obs[i].tobytes())
        for t in range(steps):
            obs, rew, term, trunc, _ = env.step(actions[t])
            for i in range(n):
                hashes[i].update(obs[i].tobytes() + rew[i].tobytes() + term[i].tobytes() + trunc[i].tobytes())
    else:  # async: each env consumes its own action sequence, whatever order results arrive in
        count = np.zeros(n, dtype=int)
        env.async_reset()
        while count.min() < steps + 1:
            obs, rew, term, trunc, info = env.recv()
            ids = info["env_id"]
            for row, i in enumerate(ids):
                if count[i] == 0:
                    hashes[i].update(obs[row].tobytes())
                elif count[i] <= steps:  # envs past their quota keep stepping, unrecorded
                    hashes[i].update(
                        obs[row].tobytes() + rew[row].tobytes() + term[row].tobytes() + trunc[row].tobytes()
                    )
                count[i] += 1
            env.send(actions[np.minimum(count[ids], steps) - 1, ids], ids)
    env.close()
    return [h.hexdigest() for h in hashes]


def test_same_seed_same_trajectories_for_1_2_4_threads():
    reference = _trajectory(1)
    assert _trajectory(2) == reference
    assert _trajectory(4) == reference


@pytest.mark.parametrize("num_threads", [1, 2, 4])
def test_async_mode_gives_the_same_per_env_trajectories(num_threads):
    assert _trajectory(num_threads, batch_size=4, steps=100) == _trajectory(1, steps=100)


def test_envs_have_distinct_streams():
    env = fastpool.make("CartPole-v1", num_envs=64, seed=0)
    obs, _ = env.reset()
    assert len({o.tobytes() for o in obs}) == 64


def test_different_seeds_differ_and_same_seed_repeats():
    a = fastpool.make("CartPole-v1", num_envs=4, seed=1).reset()[0]
    b = fastpool.make("CartPole-v1", num_envs=4, seed=2).reset()[0]
    c = fastpool.make("CartPole-v1", num_envs=4, seed=1).reset()[0]
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(a, c)


def test_reset_seed_honoured_at_any_time():
    env = fastpool.make("CartPole-v1", num_envs=4, seed=0)
    first, _ = env.reset(seed=99)
    for _ in range(30):
        env.step(np.ones(4, dtype=np.int64))
    again, _ = env.reset(seed=99)
    np.testing.assert_array_equal(first, again)


def test_reset_seed_list_and_none_entries():
    env = fastpool.make("CartPole-v1", num_envs=3, seed=0)
    by_int, _ = env.reset(seed=10)
    by_list, _ = env.reset(seed=[10, 11, 12])
    np.testing.assert_array_equal(by_int, by_list)
    mixed, _ = env.reset(seed=[10, None, 12])
    np.testing.assert_array_equal(mixed[[0, 2]], by_int[[0, 2]])
    assert not np.array_equal(mixed[1], by_int[1])  # env 1 continued its stream


def test_unseeded_reset_continues_the_stream():
    env = fastpool.make("CartPole-v1", num_envs=2, seed=5)
    a, _ = env.reset()
    b, _ = env.reset()
    assert not np.array_equal(a, b)
    c, _ = env.reset(seed=5)
    np.testing.assert_array_equal(a, c)
