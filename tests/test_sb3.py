"""The SB3 VecEnv: the contract of SB3's own vec-env tests, parity with DummyVecEnv over
gymnasium, true Atari episode statistics, and short end-to-end training runs."""

import gymnasium as gym
import numpy as np
import pytest

sb3 = pytest.importorskip("stable_baselines3")
from stable_baselines3 import DQN, PPO  # noqa: E402
from stable_baselines3.common.callbacks import EvalCallback  # noqa: E402
from stable_baselines3.common.evaluation import evaluate_policy  # noqa: E402
from stable_baselines3.common.monitor import Monitor  # noqa: E402
from stable_baselines3.common.vec_env import (  # noqa: E402
    DummyVecEnv,
    VecMonitor,
    VecNormalize,
    VecTransposeImage,
    is_vecenv_wrapped,
)

import fastpool  # noqa: E402
from fastpool.sb3 import FastpoolVecEnv  # noqa: E402


def test_matches_dummy_vec_env_step_for_step():
    """Same seeds, same actions: identical obs, rewards, dones, terminal observations and
    TimeLimit.truncated flags as SB3's DummyVecEnv over gymnasium's CartPole."""
    n, seed = 4, 17
    ours = fastpool.make_sb3("CartPole-v1", n_envs=n, max_episode_steps=25)
    ref = DummyVecEnv([lambda: gym.make("CartPole-v1", max_episode_steps=25) for _ in range(n)])
    ours.seed(seed)
    ref.seed(seed)
    np.testing.assert_array_equal(ours.reset(), ref.reset())
    rng = np.random.default_rng(0)
    ends = 0
    for _ in range(600):
        actions = rng.integers(0, 2, size=n)
        o1, r1, d1, i1 = ours.step(actions)
        o2, r2, d2, i2 = ref.step(actions)
        np.testing.assert_array_equal(o1, o2)
        np.testing.assert_array_equal(r1, r2)
        np.testing.assert_array_equal(d1, d2)
        assert r1.dtype == np.float32 and d1.dtype == bool
        for a, b in zip(i1, i2):
            assert ("terminal_observation" in a) == ("terminal_observation" in b)
            if "terminal_observation" in b:
                ends += 1
                np.testing.assert_array_equal(a["terminal_observation"], b["terminal_observation"])
                assert a["TimeLimit.truncated"] == b["TimeLimit.truncated"]
    assert ends > 30


def test_atari_spaces_are_channel_first_so_sb3_adds_no_transpose():
    env = fastpool.make_sb3("BreakoutNoFrameskip-v4", n_envs=2, seed=0)
    assert env.observation_space.shape == (4, 84, 84) and env.observation_space.dtype == np.uint8
    model = DQN("CnnPolicy", env, buffer_size=100, learning_starts=10, device="cpu")
    assert not is_vecenv_wrapped(model.get_env(), VecTransposeImage)
    env.close()


def test_seed_then_reset_is_reproducible_and_envs_differ():
    env = fastpool.make_sb3("CartPole-v1", n_envs=3)
    env.seed(5)
    a = env.reset()
    env.step(np.ones(3, dtype=np.int64))
    env.seed(5)
    b = env.reset()
    np.testing.assert_array_equal(a, b)
    assert len({row.tobytes() for row in a}) == 3
    env.seed(6)
    assert not np.array_equal(env.reset(), a)


def test_reset_options_are_refused_clearly():
    env = fastpool.make_sb3("CartPole-v1", n_envs=2, seed=0)
    env.set_options({"low": -0.1})
    with pytest.raises(ValueError, match="reset options"):
        env.reset()


def test_attributes_methods_and_wrappers():
    env = fastpool.make_sb3("Breakout", n_envs=2, seed=0)
    env.reset()
    assert env.get_attr("render_mode") == ["rgb_array", "rgb_array"]
    assert env.get_attr("lives") == [5, 5]
    assert env.get_attr("lives", indices=[1]) == [5]
    assert env.has_attr("lives") and not env.has_attr("no_such_thing")
    with pytest.raises(AttributeError, match="no attribute"):
        env.get_attr("no_such_thing")
    with pytest.raises(AttributeError, match="set_attr"):
        env.set_attr("lives", 3)
    assert env.env_method("get_action_meanings") == [["NOOP", "FIRE", "RIGHT", "LEFT"]] * 2
    with pytest.raises(AttributeError, match="no method"):
        env.env_method("explode")
    assert env.env_is_wrapped(Monitor) == [True, True]
    assert env.env_is_wrapped(VecTransposeImage) == [False, False]
    images = env.get_images()
    assert len(images) == 2 and images[0].shape == (210, 160, 3)
    assert env.render(mode="rgb_array").ndim == 3  # tiled by SB3's base class
    env.close()


def test_episode_statistics_are_whole_games_with_unclipped_scores():
    """With episodic life on, SB3 sees one episode per life, but info["episode"] (what SB3 logs
    as ep_rew_mean) is written once per game, with the game's real score and length."""
    env = fastpool.make_sb3("Breakout", n_envs=2, seed=3, reward_clip=False, repeat_action_probability=0.0)
    env.reset()
    rng = np.random.default_rng(0)
    total = np.zeros(2)
    lives_lost = np.zeros(2, dtype=int)
    games = []
    for _ in range(6000):
        _, reward, dones, infos = env.step(rng.integers(0, 4, size=2))
        total += reward
        lives_lost += dones
        for i, info in enumerate(infos):
            if "episode" in info:
                games.append((info["episode"]["r"], total[i], lives_lost[i]))
                total[i] = 0
                lives_lost[i] = 0
        if len(games) >= 2:
            break
    assert len(games) >= 2
    for score, summed, lives in games:
        assert score == summed  # the score over all lives
        assert lives == 5  # five life-episodes made one game


def test_clipped_rewards_still_report_the_game_score():
    env = fastpool.make_sb3("Breakout", n_envs=1, seed=3, repeat_action_probability=0.0)
    env.reset()
    rng = np.random.default_rng(1)
    clipped_sum = 0.0
    for _ in range(6000):
        _, reward, _, infos = env.step(rng.integers(0, 4, size=1))
        assert np.all(np.abs(reward) <= 1)
        clipped_sum += reward[0]
        if "episode" in infos[0]:
            assert infos[0]["episode"]["r"] >= clipped_sum
            return
    pytest.fail("no game ended")


def test_dqn_learns_cartpole_beyond_a_random_policy():
    env = fastpool.make_sb3("CartPole-v1", n_envs=1, seed=0)
    model = DQN(
        "MlpPolicy",
        env,
        learning_rate=2.3e-3,
        batch_size=64,
        buffer_size=50_000,
        learning_starts=1000,
        gamma=0.99,
        target_update_interval=10,
        train_freq=256,
        gradient_steps=128,
        exploration_fraction=0.16,
        exploration_final_eps=0.04,
        policy_kwargs={"net_arch": [256, 256]},
        seed=0,
        device="cpu",
    )
    eval_env = fastpool.make_sb3("CartPole-v1", n_envs=4, seed=100)
    random_mean = np.mean(evaluate_policy(_Random(env), eval_env, n_eval_episodes=20, deterministic=False)[0])
    model.learn(12_000)
    mean, _ = evaluate_policy(model, eval_env, n_eval_episodes=20)
    assert random_mean < 40
    assert mean > 3 * random_mean, (mean, random_mean)


class _Random:
    """A policy for evaluate_policy that acts uniformly at random."""

    def __init__(self, env):
        self.space = env.action_space

    def predict(self, obs, state=None, episode_start=None, deterministic=False):
        return np.array([self.space.sample() for _ in range(len(obs))]), None


@pytest.mark.parametrize("algo", ["dqn", "ppo"])
def test_cnn_policies_train_on_breakout_with_vecmonitor_and_evalcallback(tmp_path, algo):
    env = VecMonitor(fastpool.make_sb3("BreakoutNoFrameskip-v4", n_envs=4, seed=0))
    eval_env = fastpool.make_sb3("BreakoutNoFrameskip-v4", n_envs=2, seed=1, episodic_life=False, max_episode_steps=200)
    callback = EvalCallback(eval_env, n_eval_episodes=1, eval_freq=250, log_path=str(tmp_path), verbose=0)
    if algo == "dqn":
        model = DQN(
            "CnnPolicy",
            env,
            buffer_size=2000,
            learning_starts=200,
            train_freq=4,
            batch_size=32,
            seed=0,
            device="cpu",
        )
    else:
        model = PPO("CnnPolicy", env, n_steps=64, batch_size=64, n_epochs=1, seed=0, device="cpu")
    model.learn(1024, callback=callback)
    assert (tmp_path / "evaluations.npz").exists()
    obs = env.reset()
    actions, _ = model.predict(obs, deterministic=True)
    assert actions.shape == (4,)
    env.close()
    eval_env.close()


def test_vecnormalize_wraps_it():
    env = VecNormalize(fastpool.make_sb3("CartPole-v1", n_envs=4, seed=0))
    obs = env.reset()
    for _ in range(20):
        obs, *_ = env.step(np.zeros(4, dtype=np.int64))
    assert obs.shape == (4, 4)


def test_rejects_pools_sb3_cannot_drive():
    with pytest.raises(ValueError, match="same-step"):
        FastpoolVecEnv(fastpool.make("CartPole-v1", num_envs=2))
    with pytest.raises(ValueError, match="batch_size"):
        FastpoolVecEnv(fastpool.make("CartPole-v1", num_envs=2, batch_size=1, autoreset_mode="same_step"))


@pytest.mark.parametrize(
    "options, error, match",
    [
        (42, TypeError, "set_options.. takes a dict, a list of 2 dicts .one per env. or None, got int"),
        ("abc", TypeError, "got str"),
        ([1, 2], TypeError, "a dict per env, got int"),
        ([{}, {}, {}], ValueError, r"one dict per env \(2\), got 3"),
    ],
)
def test_set_options_refuses_what_sb3_does_not_take(options, error, match):
    env = fastpool.make_sb3("CartPole-v1", n_envs=2, seed=0)
    env.reset()
    moved = env.step(np.zeros(2, dtype=np.int64))[0]
    env.set_options({"reset_mask": np.array([True, False])})
    with pytest.raises(error, match=match):
        env.set_options(options)
    obs = env.reset()  # the options set before stay: a partial reset
    np.testing.assert_array_equal(obs[1], moved[1])
    env.set_options([None, {}])  # None entries: no options
    assert env._options == [{}, {}]
    env.reset()


@pytest.mark.parametrize(
    "mask, error",
    [
        ([True, False], TypeError),
        (np.array([1, 0]), TypeError),
        (np.array([True, False, True]), ValueError),
        (np.zeros(2, dtype=bool), ValueError),
    ],
)
def test_a_refused_reset_mask_is_dropped(mask, error):
    env = fastpool.make_sb3("CartPole-v1", n_envs=2, seed=0)
    env.set_options({"reset_mask": mask})
    with pytest.raises(error, match="reset_mask"):
        env.reset()
    assert env._options == [{}, {}]
    env.reset()  # a plain one
    env.step(np.zeros(2, dtype=np.int64))


def test_attribute_and_method_names_must_be_strings():
    env = fastpool.make_sb3("Breakout", n_envs=2, seed=0)
    env.reset()
    with pytest.raises(TypeError, match="attribute name must be a str, got list"):
        env.get_attr(["lives"])
    with pytest.raises(TypeError, match="method name must be a str, got list"):
        env.env_method(["render"])
    assert env.get_attr("lives") == [5, 5]
