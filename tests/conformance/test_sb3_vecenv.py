"""SB3's VecEnv contract (what its test_vec_envs.py, test_vec_monitor.py and test_vec_normalize.py
check), fastpool's adapter against DummyVecEnv over gymnasium's CartPole, step for step, with
and without SB3's wrappers on top."""

import gymnasium as gym
import numpy as np
import pytest

pytest.importorskip("stable_baselines3")
from stable_baselines3.common.vec_env import (
    DummyVecEnv,
    VecFrameStack,
    VecMonitor,
    VecNormalize,
)

import fastpool

N, LIMIT = 3, 30


def pair(wrap=lambda v: v):
    ours = fastpool.make_sb3("CartPole-v1", n_envs=N, max_episode_steps=LIMIT)
    ref = DummyVecEnv([lambda: gym.make("CartPole-v1", max_episode_steps=LIMIT) for _ in range(N)])
    return wrap(ours), wrap(ref)


def strip_time(info):
    if "episode" not in info:
        return info
    return {**info, "episode": {k: v for k, v in info["episode"].items() if k != "t"}}


def run_both(ours, ref, steps=300):
    assert ours.seed(9) == ref.seed(9) == [9, 10, 11]
    np.testing.assert_array_equal(ours.reset(), ref.reset())
    rng = np.random.default_rng(4)
    ends = 0
    for _ in range(steps):
        actions = rng.integers(0, 2, size=N)
        o1, r1, d1, i1 = ours.step(actions)
        o2, r2, d2, i2 = ref.step(actions)
        np.testing.assert_array_equal(o1, o2)
        np.testing.assert_array_equal(r1, r2)
        assert r1.dtype == r2.dtype and o1.dtype == o2.dtype and d1.dtype == d2.dtype == bool
        np.testing.assert_array_equal(d1, d2)
        for a, b in zip(i1, i2):
            a, b = strip_time(a), strip_time(b)
            # DummyVecEnv writes TimeLimit.truncated=False into every info; fastpool only where an
            # episode ended (SB3 reads it with .get(..., False)), and "episode" as Monitor would.
            expected = set(b) if "terminal_observation" in b else set(b) - {"TimeLimit.truncated"}
            assert set(a) - {"episode"} == expected - {"episode"}
            if "terminal_observation" in b:
                ends += 1
                np.testing.assert_array_equal(a["terminal_observation"], b["terminal_observation"])
                assert a["TimeLimit.truncated"] == b["TimeLimit.truncated"]
            if "episode" in b:
                assert a["episode"] == pytest.approx(b["episode"])
    assert ends > 20


def test_plain():
    run_both(*pair())


def test_under_vec_monitor():
    run_both(*pair(VecMonitor))


def test_under_vec_normalize():
    """VecNormalize rewrites terminal_observation in place and resets returns by the bool dones."""
    run_both(*pair(lambda v: VecNormalize(v, gamma=0.9)))


def test_under_vec_frame_stack():
    run_both(*pair(lambda v: VecFrameStack(v, n_stack=3)))


@pytest.mark.parametrize("indices", [None, 1, -1, [0, 2], (1,), range(2), np.array([0, 2]), [0, -1]])
def test_index_forms_match_dummy_vec_env(indices):
    ours, ref = pair()
    ours.seed(3)
    ref.seed(3)
    ours.reset()
    ref.reset()
    assert ours.get_attr("np_random_seed", indices) == ref.get_attr("np_random_seed", indices)
    assert ours.get_attr("render_mode", indices) == ref.get_attr("render_mode", indices)


@pytest.mark.parametrize("indices", [3, [5], -4])
def test_out_of_range_indices_raise_index_error(indices):
    ours, ref = pair()
    for env in (ours, ref):
        with pytest.raises(IndexError):
            env.get_attr("render_mode", indices)


def test_set_options_with_a_reset_mask_resets_only_those_envs():
    ours, _ = pair()
    ours.seed(1)
    before = ours.reset()
    ours.step(np.ones(N, dtype=np.int64))
    after_step = ours.step(np.ones(N, dtype=np.int64))[0]
    ours.seed(1)
    ours.set_options({"reset_mask": np.array([True, False, True])})
    obs = ours.reset()
    np.testing.assert_array_equal(obs[[0, 2]], before[[0, 2]])  # seeded like the first reset
    np.testing.assert_array_equal(obs[1], after_step[1])  # untouched
    assert ours._options == [{}] * N  # used once, as DummyVecEnv does


def test_unknown_or_per_env_options_are_refused_by_name():
    ours, _ = pair()
    ours.set_options({"low": -0.1})
    with pytest.raises(ValueError, match="'low'"):
        ours.reset()
    ours.set_options([{"reset_mask": np.array([True, False, False])}, {}, {}])
    with pytest.raises(ValueError, match="same for every env"):
        ours.reset()
    ours.reset()  # refused options are dropped: this reset is a plain one
