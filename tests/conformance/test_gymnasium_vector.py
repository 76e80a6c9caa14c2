"""gymnasium's VectorEnv contract (the behaviours its tests/vector/ checks), fastpool against
SyncVectorEnv over gymnasium's own CartPole, step for step, infos compared exactly."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import data_equivalence
from gymnasium.vector import AutoresetMode, SyncVectorEnv

import fastpool

MODES = [AutoresetMode.NEXT_STEP, AutoresetMode.SAME_STEP, AutoresetMode.DISABLED]


def pair(n, mode, max_episode_steps=40, seed=0):
    ours = fastpool.make(
        "CartPole-v1",
        num_envs=n,
        seed=seed,
        autoreset_mode=mode,
        max_episode_steps=max_episode_steps,
        info_keys="gymnasium",
    )
    ref = SyncVectorEnv(
        [lambda: gym.make("CartPole-v1", max_episode_steps=max_episode_steps) for _ in range(n)],
        autoreset_mode=mode,
    )
    return ours, ref


def assert_same(a, b):
    """Equal outputs: arrays bit for bit with the same dtypes, infos with the same keys and types."""
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert data_equivalence(x, y, exact=True), (x, y)


@pytest.mark.parametrize("mode", MODES)
def test_partial_resets_step_for_step(mode):
    """Random partial resets (seeded and not) between steps; with DISABLED every ended env is
    reset by mask, as gymnasium's test_autoreset_disabled does."""
    n = 5
    ours, ref = pair(n, mode)
    assert_same(ours.reset(seed=7), ref.reset(seed=7))
    rng = np.random.default_rng(0)
    partial = 0
    for t in range(600):
        ended = np.zeros(n, dtype=bool)
        actions = rng.integers(0, 2, size=n)
        a, b = ours.step(actions), ref.step(actions)
        assert_same(a, b)
        ended = a[2] | a[3]
        mask = ended.copy() if mode is AutoresetMode.DISABLED else rng.random(n) < 0.1
        if t % 7 == 0:
            mask[rng.integers(n)] = True
        if mask.any():
            partial += 1
            seed = [int(s) for s in rng.integers(0, 1000, size=n)] if t % 3 == 0 else None
            assert_same(
                ours.reset(seed=seed, options={"reset_mask": mask.copy()}),
                ref.reset(seed=seed, options={"reset_mask": mask.copy()}),
            )
    assert partial > 80


def test_disabled_mode_refuses_to_step_an_ended_env():
    ours, _ = pair(2, AutoresetMode.DISABLED, max_episode_steps=3)
    ours.reset(seed=0)
    for _ in range(3):
        ours.step(np.zeros(2, dtype=np.int64))
    with pytest.raises(RuntimeError, match=r"env\(s\) \[0, 1\] ended"):
        ours.step(np.zeros(2, dtype=np.int64))
    ours.reset(options={"reset_mask": np.array([True, False])})
    with pytest.raises(RuntimeError, match=r"\[1\] ended"):
        ours.step(np.zeros(2, dtype=np.int64))
    ours.reset(options={"reset_mask": np.array([False, True])})
    ours.step(np.zeros(2, dtype=np.int64))  # both fresh: steps


def test_reset_mask_clears_a_pending_next_step_autoreset():
    """A masked reset of an ended env replaces its autoreset (gymnasium clears _autoreset_envs)."""
    ours, ref = pair(3, AutoresetMode.NEXT_STEP, max_episode_steps=2)
    assert_same(ours.reset(seed=1), ref.reset(seed=1))
    for _ in range(2):
        assert_same(ours.step(np.ones(3, dtype=np.int64)), ref.step(np.ones(3, dtype=np.int64)))
    mask = np.array([True, False, True])
    assert_same(ours.reset(options={"reset_mask": mask}), ref.reset(options={"reset_mask": mask}))
    for _ in range(3):
        assert_same(ours.step(np.ones(3, dtype=np.int64)), ref.step(np.ones(3, dtype=np.int64)))


@pytest.mark.parametrize(
    "mask, error",
    [
        ([True, False, True], TypeError),  # not an ndarray
        (np.array([1, 0, 1]), TypeError),  # not bool
        (np.array([True, False]), ValueError),  # wrong shape
        (np.array([[True, False, True]]), ValueError),
        (np.zeros(3, dtype=bool), ValueError),  # selects nothing
    ],
)
def test_bad_reset_masks_are_refused_and_the_pool_stays_usable(mask, error):
    env = fastpool.make("CartPole-v1", num_envs=3, seed=0)
    env.reset()
    with pytest.raises(error, match="reset_mask"):
        env.reset(options={"reset_mask": mask})
    env.step(np.zeros(3, dtype=np.int64))


def test_unknown_reset_options_are_named():
    env = fastpool.make("CartPole-v1", num_envs=2, seed=0)
    with pytest.raises(ValueError, match="'low'"):
        env.reset(options={"low": -0.1})


def test_partial_reset_as_first_reset_must_cover_every_env():
    env = fastpool.make("CartPole-v1", num_envs=2, seed=0)
    with pytest.raises(RuntimeError, match="never been reset"):
        env.reset(options={"reset_mask": np.array([True, False])})
    env.reset(options={"reset_mask": np.array([True, True])})
    env.step(np.zeros(2, dtype=np.int64))


def test_reset_mask_is_taken_out_of_the_options_as_gymnasium_does():
    env = fastpool.make("CartPole-v1", num_envs=2, seed=0)
    env.reset()
    options = {"reset_mask": np.array([True, False])}
    env.reset(options=options)
    assert options == {}


def test_async_partial_resets():
    env = fastpool.make("CartPole-v1", num_envs=4, batch_size=2, seed=0)
    obs, info = env.reset(options={"reset_mask": np.array([True, True, True, False])})
    first = set(info["env_id"].tolist())
    assert len(obs) == 2 and first < {0, 1, 2}
    with pytest.raises(ValueError, match="fewer than batch_size"):
        env.reset(options={"reset_mask": np.array([False, False, False, True])})
    env.async_reset(seed=5, options={"reset_mask": np.array([False, False, False, True])})
    obs, _, _, _, info = env.recv()  # the third env of the first reset, and env 3
    assert first | set(info["env_id"].tolist()) == {0, 1, 2, 3}
    fresh = fastpool.make("CartPole-v1", num_envs=4, seed=5)
    row = int(np.flatnonzero(info["env_id"] == 3)[0])
    np.testing.assert_array_equal(obs[row], fresh.reset()[0][3])


@pytest.mark.parametrize("actions, error", [(0, TypeError), (np.zeros(3, dtype=np.int64), ValueError)])
def test_action_count_compatibility(actions, error):
    """gymnasium's test_action_count_compatibility: a scalar is a TypeError, a wrong count a ValueError."""
    ours, ref = pair(4, AutoresetMode.DISABLED)
    ours.reset(seed=0)
    ref.reset(seed=0)
    for env in (ours, ref):
        with pytest.raises(error):
            env.step(actions)


def test_python_list_actions_are_accepted():
    ours, ref = pair(3, AutoresetMode.NEXT_STEP)
    assert_same(ours.reset(seed=2), ref.reset(seed=2))
    assert_same(ours.step([0, 1, 1]), ref.step([0, 1, 1]))


def test_np_random_seed_follows_seeded_resets():
    ours, ref = pair(3, AutoresetMode.NEXT_STEP)
    for kwargs in ({"seed": 42}, {}, {"seed": [5, None, 7]}, {}):
        ours.reset(**kwargs)
        ref.reset(**kwargs)
        assert ours.np_random_seed == ref.np_random_seed
    assert ours.np_random_seed == (5, 43, 7)
    ours.reset(seed=100, options={"reset_mask": np.array([False, True, False])})
    assert ours.np_random_seed == (5, 101, 7)
    assert fastpool.make("CartPole-v1", num_envs=2, seed=9).np_random_seed == (9, 10)


def test_render_returns_a_tuple_of_frames():
    env = fastpool.make("Pong", num_envs=3, seed=0)
    env.reset()
    frames = env.render()
    assert isinstance(frames, tuple) and len(frames) == 3
    assert all(f.shape == (210, 160, 3) and f.dtype == np.uint8 for f in frames)
    np.testing.assert_array_equal(frames[1], env.render(env_id=1))
    assert fastpool.make("CartPole-v1", num_envs=2).render() is None
    with pytest.raises(ValueError, match="render_mode"):
        fastpool.make("CartPole-v1", num_envs=2, render_mode="rgb_array")
    with pytest.raises(ValueError, match="render_mode"):
        fastpool.make("Pong", num_envs=2, render_mode="human")


def test_call_get_attr_set_attr():
    env = fastpool.make("Breakout", num_envs=2, seed=0)
    env.reset()
    assert env.get_attr("lives") == (5, 5)
    assert env.call("get_action_meanings") == (["NOOP", "FIRE", "RIGHT", "LEFT"],) * 2
    frames = env.call("render")
    assert isinstance(frames, tuple) and frames[0].shape == (210, 160, 3)
    assert env.get_attr("render_mode") == ("rgb_array", "rgb_array")
    assert env.get_attr("np_random_seed") == (0, 1)
    with pytest.raises(AttributeError, match="no attribute 'gravity'"):
        env.get_attr("gravity")
    with pytest.raises(AttributeError, match="cannot be set"):
        env.set_attr("lives", [1, 2])
    with pytest.raises(ValueError, match="one entry per env"):
        env.set_attr("lives", [1, 2, 3])


def test_info_keys_default_adds_env_id_and_elapsed_step():
    env = fastpool.make("CartPole-v1", num_envs=2, seed=0)
    _, info = env.reset()
    assert set(info) == {"env_id", "_env_id", "elapsed_step", "_elapsed_step"}
    with pytest.raises(ValueError, match="info_keys"):
        fastpool.make("CartPole-v1", num_envs=2, info_keys="some")
