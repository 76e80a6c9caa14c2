"""A seeded reset puts an env exactly where a fresh pool made with that seed starts, on every
seeded path (make, reset(seed=int) repeated, seed lists with None entries, async resets,
partial resets) and every id family, sticky actions included."""

import hashlib

import numpy as np
import pytest

import fastpool

N, STEPS, SEED = 3, 120, 42
IDS = ["CartPole-v1", "Breakout", "ALE/Pong-v5", "BreakoutNoFrameskip-v4"]


def actions_for(env):
    return np.random.default_rng(0).integers(0, env.single_action_space.n, size=(STEPS, N))


def trajectories(env, reset):
    """Each env's trajectory after `reset(env)`: a digest of its observations and rewards."""
    digests = [hashlib.sha256() for _ in range(N)]
    obs = reset(env)
    for i in range(N):
        digests[i].update(obs[i].tobytes())
    for a in actions_for(env):
        obs, reward, terminated, truncated, _ = env.step(a)
        for i in range(N):
            digests[i].update(obs[i].tobytes() + reward[i].tobytes() + terminated[i].tobytes() + truncated[i].tobytes())
    return [d.hexdigest() for d in digests]


def fresh(env_id, **kwargs):
    return trajectories(fastpool.make(env_id, num_envs=N, seed=SEED, **kwargs), lambda e: e.reset()[0])


def played(env_id, **kwargs):
    """A pool seeded otherwise that has already played a while."""
    env = fastpool.make(env_id, num_envs=N, seed=SEED + 1000, **kwargs)
    trajectories(env, lambda e: e.reset()[0])
    return env


@pytest.mark.parametrize("env_id", IDS)
def test_reset_with_the_same_seed_replays_a_fresh_pool(env_id):
    expected = fresh(env_id)
    env = played(env_id)
    for _ in range(3):  # the same seed again and again, as the pool's own seed too
        assert trajectories(env, lambda e: e.reset(seed=SEED)[0]) == expected
    same = fastpool.make(env_id, num_envs=N, seed=SEED)
    assert trajectories(same, lambda e: e.reset(seed=SEED)[0]) == expected


@pytest.mark.parametrize("env_id", IDS)
def test_seed_list_with_none_entries(env_id):
    expected = fresh(env_id)
    env = played(env_id)
    got = trajectories(env, lambda e: e.reset(seed=[SEED, None, SEED + 2])[0])
    assert got[0] == expected[0] and got[2] == expected[2]
    if env_id == "CartPole-v1":  # (Breakout without sticky actions starts alike whatever the no-ops)
        assert got[1] != expected[1]  # env 1 kept its own stream


@pytest.mark.parametrize("env_id", IDS)
def test_partial_reset_with_a_seed(env_id):
    expected = fresh(env_id)
    env = played(env_id)
    mask = np.array([False, True, False])
    got = trajectories(env, lambda e: e.reset(seed=SEED, options={"reset_mask": mask})[0])
    assert got[1] == expected[1]


@pytest.mark.parametrize("env_id", ["CartPole-v1", "Breakout"])
def test_async_reset_with_the_same_seed(env_id):
    """An async pool's envs, reset with the seed twice, replay the per-env trajectories."""

    def run(env):
        digests = {i: hashlib.sha256() for i in range(N)}
        env.async_reset(seed=SEED)
        rng = {i: iter(actions_for(env)[:, i]) for i in range(N)}
        steps = dict.fromkeys(range(N), 0)
        while min(steps.values()) < STEPS // 2:
            obs, reward, _, _, info = env.recv()
            ids = info["env_id"]
            for row, i in enumerate(ids.tolist()):
                digests[i].update(obs[row].tobytes() + reward[row].tobytes())
                steps[i] += 1
            env.send(np.array([next(rng[i]) for i in ids.tolist()]), ids)
        for _ in range(N):  # the envs still in flight
            env.recv()
        return [d.hexdigest() for d in digests.values()], steps

    env = fastpool.make(env_id, num_envs=N, batch_size=1, num_threads=1, seed=SEED + 5)
    first = run(env)
    assert run(env) == first
    assert run(fastpool.make(env_id, num_envs=N, batch_size=1, num_threads=1, seed=SEED)) == first
