"""fastpool ids through gymnasium's own factories: `gym.make` (one env, checked by gymnasium's
env_checker) and every mode of `gym.make_vec`, each step for step against gymnasium's CartPole."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env, data_equivalence

import fastpool
from fastpool.single import FastpoolEnv


def test_single_env_matches_gymnasium_cartpole_past_the_end(rng):
    """Same seed, same actions, including steps after termination (reward 0, as gymnasium)
    and resets with and without seeds."""
    ours, ref = gym.make("fastpool/CartPole-v1"), gym.make("CartPole-v1")
    assert isinstance(ours.unwrapped, FastpoolEnv)
    assert data_equivalence(ours.reset(seed=3), ref.reset(seed=3), exact=True)
    after_end = 0
    for t in range(1500):
        action = int(rng.integers(2))
        a = ours.step(action)
        with pytest.warns(UserWarning) if after_end == 1 else _nothing():
            b = ref.step(action)
        assert data_equivalence(a, b, exact=True), (t, a, b)
        assert type(a[2]) is bool and type(a[3]) is bool and type(a[1]) is float
        after_end = after_end + 1 if (a[2] or after_end) else 0
        if after_end > 3 or a[3]:
            seed = int(rng.integers(1000)) if t % 2 else None
            assert data_equivalence(ours.reset(seed=seed), ref.reset(seed=seed), exact=True)
            after_end = 0


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("env_id", ["fastpool/CartPole-v1", "fastpool/Breakout-v5"])
def test_env_checker_passes(env_id):
    env = gym.make(env_id).unwrapped
    check_env(env, skip_render_check=env_id.endswith("CartPole-v1"))
    env.close()


def test_atari_single_env_info_is_ale_pys():
    env = gym.make("fastpool/Pong-v5", render_mode="rgb_array")
    _, info = env.reset(seed=0)
    assert set(info) == {"lives", "episode_frame_number", "frame_number"}
    assert all(type(v) is int for v in info.values())
    assert env.render().shape == (210, 160, 3)
    assert env.unwrapped.get_action_meanings()[:2] == ["NOOP", "FIRE"]


@pytest.mark.parametrize("mode", ["sync", "async", "vector_entry_point"])
def test_make_vec_every_mode_matches_gymnasium(mode, rng):
    n = 3
    ours = gym.make_vec("fastpool/CartPole-v1", num_envs=n, vectorization_mode=mode)
    ref = gym.make_vec("CartPole-v1", num_envs=n, vectorization_mode="sync")
    try:
        o1, _ = ours.reset(seed=11)
        o2, _ = ref.reset(seed=11)
        np.testing.assert_array_equal(o1, o2)
        for _ in range(300):
            actions = rng.integers(0, 2, size=n)
            a, b = ours.step(actions), ref.step(actions)
            for x, y in zip(a[:4], b[:4]):
                np.testing.assert_array_equal(x, y)
    finally:
        ours.close()
        ref.close()


def test_make_vec_spec_rebuilds_the_pool():
    env = gym.make_vec("fastpool/Breakout-v5", num_envs=2, render_mode="rgb_array", frame_skip=2)
    assert isinstance(env, fastpool.VectorEnv) and env.render_mode == "rgb_array"
    again = gym.make_vec(env.spec)
    assert type(again) is type(env) and again.num_envs == 2
    assert again.observation_space == env.observation_space
    env.close()
    again.close()


def test_bad_input_to_the_single_env():
    env = gym.make("fastpool/CartPole-v1").unwrapped
    env.reset(seed=0)
    with pytest.raises(ValueError, match="out of range"):
        env.step(2)
    with pytest.raises(TypeError, match="integers"):
        env.step(0.5)
    with pytest.raises(ValueError, match="seed"):
        env.reset(seed=-1)
    with pytest.raises(ValueError, match="options"):
        env.reset(options={"low": 0})
    env.step(1)
