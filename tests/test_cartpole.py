"""CartPole-v1 parity: fastpool against gymnasium itself, run side by side."""

import gymnasium as gym
import numpy as np
import pytest

import fastpool


def _gym_envs(n, seed, max_episode_steps=500):
    envs = [gym.make("CartPole-v1", max_episode_steps=max_episode_steps) for _ in range(n)]
    first = np.stack([e.reset(seed=seed + i)[0] for i, e in enumerate(envs)])
    return envs, first


@pytest.mark.parametrize("max_episode_steps", [500, 40])
def test_matches_gymnasium_step_for_step(rng, max_episode_steps):
    """Identical seeds and actions give bit-identical obs/reward/terminated/truncated over
    thousands of steps, resets included (each env's stream continues exactly as gymnasium's)."""
    n, seed = 8, 7
    envs, gym_obs = _gym_envs(n, seed, max_episode_steps)
    pool = fastpool.make("CartPole-v1", num_envs=n, seed=seed, max_episode_steps=max_episode_steps)
    obs, _ = pool.reset()
    np.testing.assert_array_equal(obs, gym_obs)

    ended = np.zeros(n, dtype=bool)
    episodes = 0
    for _ in range(3000):
        actions = rng.integers(0, 2, size=n)
        obs, reward, terminated, truncated, _info = pool.step(actions)
        for i, env in enumerate(envs):
            if ended[i]:  # next-step autoreset: this step is the reset, action ignored
                o, r, te, tr = env.reset()[0], 0.0, False, False
            else:
                o, r, te, tr, _ = env.step(int(actions[i]))
            assert obs[i].tobytes() == np.asarray(o, dtype=np.float32).tobytes()
            assert (reward[i], terminated[i], truncated[i]) == (r, te, tr)
        ended = terminated | truncated
        episodes += int(ended.sum())
    assert episodes > 50  # resets were exercised many times
    if max_episode_steps == 40:
        assert pool.step(np.zeros(n, dtype=np.int64))[4]["elapsed_step"].max() <= 40


def test_reset_seed_is_gymnasium_reset_seed_plus_index():
    for seed in (0, 1, 2**31, 2**32 - 3, 2**40 + 11):
        n = 5
        pool = fastpool.make("CartPole-v1", num_envs=n, seed=0)
        obs, _ = pool.reset(seed=seed)
        _, expected = _gym_envs(n, seed)
        np.testing.assert_array_equal(obs, expected)


def test_random_stream_matches_numpy():
    for seed in (0, 1, 12345, 2**32 - 1, 2**32, 2**63 + 5, 2**64 - 1):
        ours = fastpool._core._stream_doubles(seed, 16)
        theirs = np.random.Generator(np.random.PCG64(seed)).random(16)
        np.testing.assert_array_equal(ours, theirs)


def test_observation_and_reward_types():
    pool = fastpool.make("CartPole-v1", num_envs=3, seed=0)
    obs, _ = pool.reset()
    assert obs.dtype == np.float32 and obs.shape == (3, 4)
    obs, reward, terminated, truncated, _ = pool.step(np.ones(3, dtype=np.int64))
    assert reward.dtype == np.float64 and terminated.dtype == bool and truncated.dtype == bool
    assert pool.observation_space.contains(obs)
    assert pool.single_observation_space == gym.make("CartPole-v1").observation_space
    assert pool.single_action_space == gym.make("CartPole-v1").action_space


def test_truncation_at_500_steps():
    """Balanced by a simple controller, the pole lasts until the time limit."""
    pool = fastpool.make("CartPole-v1", num_envs=4, seed=3)
    obs, _ = pool.reset()
    for t in range(1, 501):
        actions = (obs[:, 2] + 0.5 * obs[:, 3] > 0).astype(np.int64)
        obs, _reward, terminated, truncated, info = pool.step(actions)
        assert not terminated.any()
        np.testing.assert_array_equal(info["elapsed_step"], t)
        assert truncated.all() == (t == 500)
