"""gymnasium's vector wrappers over a fastpool pool behave as over SyncVectorEnv (step for step,
gymnasium's CartPole as the reference), and RecordVideo records a pool's frames."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode, SyncVectorEnv
from gymnasium.wrappers import vector as vw

import fastpool

N = 4


def pair(wrap, mode=AutoresetMode.NEXT_STEP, max_episode_steps=60):
    ours = fastpool.make(
        "CartPole-v1",
        num_envs=N,
        seed=0,
        autoreset_mode=mode,
        max_episode_steps=max_episode_steps,
        info_keys="gymnasium",
    )
    ref = SyncVectorEnv(
        [lambda: gym.make("CartPole-v1", max_episode_steps=max_episode_steps) for _ in range(N)], autoreset_mode=mode
    )
    return wrap(ours), wrap(ref)


def without_time(info):
    """Episode statistics minus their wall-clock field, which no two runs share."""
    if isinstance(info, list):
        return [without_time(i) for i in info]
    out = dict(info)
    if "episode" in out:
        out["episode"] = {k: v for k, v in out["episode"].items() if k != "t"}
    return out


def run_both(ours, ref, steps=400, compare_info=True, partial=False):
    rng = np.random.default_rng(1)
    (o1, i1), (o2, i2) = ours.reset(seed=5), ref.reset(seed=5)
    np.testing.assert_array_equal(o1, o2)
    if compare_info:
        assert repr(i1) == repr(i2)
    for t in range(steps):
        actions = rng.integers(0, 2, size=N)
        a, b = ours.step(actions), ref.step(actions)
        for x, y in zip(a[:4], b[:4]):
            np.testing.assert_array_equal(x, y)
        if compare_info:
            assert repr(without_time(a[4])) == repr(without_time(b[4]))
        if partial and t % 25 == 24:
            mask = np.array([True, False, True, False])
            (o1, _), (o2, _) = ours.reset(options={"reset_mask": mask}), ref.reset(options={"reset_mask": mask})
            np.testing.assert_array_equal(o1, o2)


def test_record_episode_statistics():
    ours, ref = pair(vw.RecordEpisodeStatistics)
    run_both(ours, ref, partial=True)
    assert len(ours.return_queue) > 10
    assert list(ours.return_queue) == list(ref.return_queue)
    assert list(ours.length_queue) == list(ref.length_queue)
    assert ours.episode_count == ref.episode_count


def test_dict_info_to_list_over_episode_statistics():
    ours, ref = pair(lambda env: vw.DictInfoToList(vw.RecordEpisodeStatistics(env)))
    run_both(ours, ref)


def test_dict_info_to_list_with_fastpool_keys():
    env = vw.DictInfoToList(fastpool.make("CartPole-v1", num_envs=3, seed=0))
    _, infos = env.reset()
    assert [i["env_id"] for i in infos] == [0, 1, 2]


def test_normalize_observation_and_reward():
    ours, ref = pair(lambda env: vw.NormalizeReward(vw.NormalizeObservation(env), gamma=0.9))
    run_both(ours, ref)


@pytest.mark.parametrize("mode", [AutoresetMode.SAME_STEP, AutoresetMode.DISABLED])
def test_same_step_and_disabled_final_infos_survive_episode_statistics(mode):
    ours, ref = pair(vw.RecordEpisodeStatistics, mode=mode, max_episode_steps=15)
    rng = np.random.default_rng(2)
    ours.reset(seed=1)
    ref.reset(seed=1)
    for _ in range(200):
        actions = rng.integers(0, 2, size=N)
        a, b = ours.step(actions), ref.step(actions)
        np.testing.assert_array_equal(a[0], b[0])
        assert repr(without_time(a[4])) == repr(without_time(b[4]))
        ended = a[2] | a[3]
        if mode is AutoresetMode.DISABLED and ended.any():
            (o1, _), (o2, _) = (
                ours.reset(options={"reset_mask": ended}),
                ref.reset(options={"reset_mask": ended.copy()}),
            )
            np.testing.assert_array_equal(o1, o2)


@pytest.mark.parametrize("mode", [AutoresetMode.NEXT_STEP, AutoresetMode.DISABLED])
def test_record_video(tmp_path, mode):
    pytest.importorskip("moviepy")
    env = fastpool.make("Pong", num_envs=2, seed=0, autoreset_mode=mode, max_episode_steps=30)
    env = vw.RecordVideo(env, video_folder=str(tmp_path), episode_trigger=lambda e: True, video_length=40)
    env.reset(seed=0)
    for _ in range(70):
        _, _, terminated, truncated, _ = env.step(env.action_space.sample())
        ended = terminated | truncated
        if mode is AutoresetMode.DISABLED and ended.any():
            env.reset(options={"reset_mask": ended})
    env.close()
    videos = sorted(tmp_path.glob("*.mp4"))
    assert videos and all(v.stat().st_size > 1000 for v in videos)
