"""The ports docs/migration.md describes, run: a gymnasium 0.29 CleanRL-style DQN loop with the
documented edits (checked against gymnasium's own SyncVectorEnv), and what CleanRL's EnvPool
scripts read from EnvPool's info (unclipped rewards, game ends), as fastpool gives it."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode, SyncVectorEnv

import fastpool

N, LIMIT = 4, 25  # CartPole with a short time limit: truncations as well as terminations


def _dqn_collect(envs, final_key, steps=300):
    """CleanRL dqn.py's collection loop (random actions): what it stores in its replay buffer,
    and what its 0.29 logging loop finds."""
    rng = np.random.default_rng(0)
    stored, logged = [], []
    obs, _ = envs.reset(seed=1)
    for _ in range(steps):
        actions = rng.integers(0, envs.single_action_space.n, size=envs.num_envs)
        next_obs, rewards, terminations, truncations, infos = envs.step(actions)
        if "final_info" in infos:  # gymnasium 0.29's logging: a list of per-env info dicts
            for info in infos["final_info"]:
                if info and "episode" in info:
                    logged.append(info["episode"]["r"])
        real_next_obs = next_obs.copy()
        for idx, trunc in enumerate(truncations):
            if trunc:
                real_next_obs[idx] = infos[final_key][idx]
        stored.append((obs.copy(), real_next_obs, actions, rewards.copy(), terminations, truncations, next_obs, infos))
        obs = next_obs
    return stored, logged


def _pool(**options):
    return fastpool.make("CartPole-v1", num_envs=N, seed=1, max_episode_steps=LIMIT, **options)


def test_the_unported_loop_fails_as_the_guide_says():
    with pytest.raises(KeyError, match="final_observation"):  # the 0.29 key on a same-step pool
        _dqn_collect(_pool(autoreset_mode="same_step"), "final_observation")
    with pytest.raises(KeyError, match="final_obs"):  # the new key on a default (next-step) pool
        _dqn_collect(_pool(), "final_obs")


def test_the_unported_logging_loop_fails_on_atari_as_the_guide_says():
    """0.29's logging loop iterates the final_info dict's keys: Atari's include
    "episode_frame_number", which contains "episode", and indexing that string fails."""
    envs = fastpool.make("Breakout", num_envs=2, seed=1, max_episode_steps=10, autoreset_mode="same_step")
    assert "episode_frame_number" in envs.reset(seed=1)[1]
    with pytest.raises(TypeError, match="string indices must be integers"):
        _dqn_collect(envs, "final_obs", steps=30)


def test_the_ported_loop_stores_the_real_final_observations():
    """With autoreset_mode="same_step" and "final_obs", the loop runs through truncations and
    stores, for each truncated env, the pool's final observation, which is gymnasium's: the
    transitions equal those of the same loop over SyncVectorEnv in same-step mode."""
    ours = gym.wrappers.vector.RecordEpisodeStatistics(_pool(autoreset_mode="same_step"))
    ref = gym.wrappers.vector.RecordEpisodeStatistics(
        SyncVectorEnv(
            [lambda: gym.make("CartPole-v1", max_episode_steps=LIMIT) for _ in range(N)],
            autoreset_mode=AutoresetMode.SAME_STEP,
        )
    )
    a, logged = _dqn_collect(ours, "final_obs")
    b, _ = _dqn_collect(ref, "final_obs")
    truncated = terminated = 0
    for x, y in zip(a, b):
        for u, v in zip(x[:7], y[:7]):
            np.testing.assert_array_equal(u, v)
        _, real_next_obs, _, _, terms, truncs, next_obs, infos = x
        truncated += truncs.sum()
        terminated += terms.sum()
        for idx in np.flatnonzero(truncs):  # the episode's last obs, not the next one's first
            np.testing.assert_array_equal(real_next_obs[idx], infos["final_obs"][idx])
            assert not np.array_equal(real_next_obs[idx], next_obs[idx])
        # whole-episode statistics come from gymnasium's vector wrapper, as the guide says
        assert ("episode" in infos) == ("episode" in y[7])
        if "episode" in infos:
            for key in ("r", "l"):
                np.testing.assert_array_equal(infos["episode"][key], y[7]["episode"][key])
            np.testing.assert_array_equal(infos["_episode"], y[7]["_episode"])
    assert truncated > 10 and terminated > 10
    assert logged == []  # 0.29's logging loop iterates the final_info dict's keys: it finds nothing


def _atari_run(game, steps, **options):
    env = fastpool.make(game, num_envs=N, seed=7, repeat_action_probability=0.0, episodic_life=True, **options)
    env.reset()
    rng = np.random.default_rng(0)
    out = []
    for _ in range(steps):
        _, reward, terminated, truncated, info = env.step(rng.integers(0, env.single_action_space.n, size=N))
        out.append((reward.copy(), terminated.copy(), truncated.copy(), {k: v.copy() for k, v in info.items()}))
    env.close()
    return out


def test_envpool_reward_info_is_the_unclipped_reward_and_its_sign_the_clipped_one():
    """EnvPool's info["reward"] is the unclipped step reward: fastpool's reward with
    reward_clip=False; reward_clip=True gives its sign."""
    raw = _atari_run("SpaceInvaders-v5", 150, reward_clip=False)
    clipped = _atari_run("SpaceInvaders-v5", 150, reward_clip=True)
    assert max(r[0].max() for r in raw) > 1  # the test means something: rewards above 1
    for (r, *_), (c, *_) in zip(raw, clipped):
        assert r.dtype == c.dtype == np.float64
        np.testing.assert_array_equal(np.sign(r), c)


def test_game_ends_and_scores_replace_envpool_terminated_and_reward_sums():
    """EnvPool's info["terminated"] is info["game_over"]; a whole game ends at game_over or
    truncated, where info["score"] is the sum of its unclipped rewards and info["game_step"] its
    length; EnvPool's elapsed_step (across lives) is info["game_step"]."""
    steps = _atari_run("Breakout-v5", 700, max_episode_steps=150)
    total = np.zeros(N)
    length = np.zeros(N, dtype=int)
    ends = {"game_over": 0, "truncated": 0, "life": 0}
    for k, (reward, terminated, truncated, info) in enumerate(steps):
        assert info["game_over"].dtype == info["score"].dtype == info["lives"].dtype == np.int32
        total += reward
        length += info["elapsed_step"] > 0  # a next-step reset (elapsed_step 0) is no game step
        game_over = info["game_over"].astype(bool)
        assert not (game_over & ~terminated).any()
        np.testing.assert_array_equal(info["lives"][game_over], 0)
        for i in np.flatnonzero(game_over | truncated):
            assert info["score"][i] == total[i] and info["game_step"][i] == length[i]
            ends["game_over" if game_over[i] else "truncated"] += 1
        for i in np.flatnonzero(terminated & ~game_over & ~truncated):  # a life lost: the game goes on
            ends["life"] += 1
            after = steps[k + 1][3] if k + 1 < len(steps) else None
            if after is not None:
                assert after["elapsed_step"][i] == 0 and after["game_step"][i] == info["game_step"][i]
                assert after["score"][i] == info["score"][i]
        total[game_over | truncated] = 0
        length[game_over | truncated] = 0
    assert all(n > 0 for n in ends.values()), ends
