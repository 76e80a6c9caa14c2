"""make(..., episode_statistics=True): the pool writes info["episode"] and info["_episode"] as
gymnasium's vector RecordEpisodeStatistics writes them (classic control: step for step the
wrapper's numbers, in every autoreset mode, async results too), and for Atari the whole game's
unclipped score and length, whatever episodic_life and reward_clip are."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode, SyncVectorEnv, VectorWrapper
from gymnasium.wrappers.vector import RecordEpisodeStatistics

import fastpool

N = 4
MODES = [AutoresetMode.NEXT_STEP, AutoresetMode.SAME_STEP, AutoresetMode.DISABLED]
# gymnasium's wrapper counts same-step episodes right from 1.4 on; before, it dropped the first
# step of each later episode (the pool counts them as 1.4 does, whichever gymnasium is installed)
WRAPPER_SAME_STEP = tuple(int(x) for x in gym.__version__.split(".")[:2]) >= (1, 4)


def needs_the_wrappers_same_step_counts(mode):
    if mode is AutoresetMode.SAME_STEP and not WRAPPER_SAME_STEP:
        pytest.skip(f"gymnasium {gym.__version__}'s RecordEpisodeStatistics miscounts same-step episodes")


class KeepResetMask(VectorWrapper):
    """Hands the vector env a copy of the reset options. A vector env (gymnasium's, fastpool's)
    takes the reset_mask out of the options, so RecordEpisodeStatistics above it never sees the
    mask and restarts every env's counts at a partial reset, running episodes included
    (Farama-Foundation/Gymnasium#1696). With the mask kept, the wrapper restarts only the masked
    envs' counts, as its reset_mask branch intends and as the pool does."""

    def reset(self, *, seed=None, options=None):
        return self.env.reset(seed=seed, options=None if options is None else dict(options))


def wrapper_over(env):
    """gymnasium's RecordEpisodeStatistics over `env`, seeing partial resets' masks."""
    return RecordEpisodeStatistics(KeepResetMask(env))


def without_time(info):
    out = dict(info)
    if "episode" in out:
        out["episode"] = {k: v for k, v in out["episode"].items() if k != "t"}
    return out


def check_format(info, n):
    """The wrapper's layout: r float64, l int, t float64, one entry per row, 0 where no episode
    ended; _episode a bool mask with at least one entry set."""
    stats, mask = info["episode"], info["_episode"]
    assert sorted(stats) == ["l", "r", "t"]
    assert mask.dtype == np.bool_ and mask.shape == (n,) and mask.any()
    assert stats["r"].dtype == np.float64 and stats["t"].dtype == np.float64
    assert stats["l"].dtype == np.zeros(1, dtype=int).dtype
    for v in stats.values():
        assert v.shape == (n,)
        assert not v[~mask].any()
    assert (stats["l"][mask] > 0).all() and (stats["t"][mask] >= 0).all()


def step_both(ours, ref, mode, steps, rng, partial):
    """Step a pool made with the option and the wrapper over one made without it; the same
    outputs, statistics included (but wall-clock times). The number of episodes seen."""
    episodes = 0
    for t in range(steps):
        actions = rng.integers(0, 2, size=N)
        a, b = ours.step(actions), ref.step(actions)
        for x, y in zip(a[:4], b[:4]):
            np.testing.assert_array_equal(x, y)
        assert ("episode" in a[4]) == ("episode" in b[4])
        if "episode" in b[4]:
            check_format(a[4], N)
            episodes += int(b[4]["_episode"].sum())
            for key in ("r", "l"):
                assert a[4]["episode"][key].dtype == b[4]["episode"][key].dtype
                np.testing.assert_array_equal(a[4]["episode"][key], b[4]["episode"][key])
            np.testing.assert_array_equal(a[4]["_episode"], b[4]["_episode"])
        assert repr(without_time(a[4])) == repr(without_time(b[4]))
        ended = a[2] | a[3]
        mask = ended if mode is AutoresetMode.DISABLED else None
        if partial and t % 23 == 22:  # partial resets, in every mode
            mask = np.zeros(N, dtype=bool) if mask is None else mask.copy()
            mask[[0, 2]] = True
        if mask is not None and mask.any():
            (o1, i1), (o2, i2) = (
                ours.reset(options={"reset_mask": mask}),
                ref.reset(options={"reset_mask": mask.copy()}),
            )
            np.testing.assert_array_equal(o1, o2)
            assert "episode" not in i1 and repr(i1) == repr(i2)
    return episodes


@pytest.mark.parametrize("mode", MODES)
def test_cartpole_statistics_are_the_wrappers_step_for_step(mode):
    """The option's statistics equal those gymnasium's RecordEpisodeStatistics computes over the
    same pool made without it: r and l exactly, the mask, dtypes, the rest of the info."""
    needs_the_wrappers_same_step_counts(mode)
    options = {"num_envs": N, "seed": 0, "autoreset_mode": mode, "max_episode_steps": 40}
    ours = fastpool.make("CartPole-v1", episode_statistics=True, **options)
    ref = wrapper_over(fastpool.make("CartPole-v1", **options))
    o1, i1 = ours.reset(seed=5)
    o2, i2 = ref.reset(seed=5)
    np.testing.assert_array_equal(o1, o2)
    assert "episode" not in i1 and repr(i1) == repr(i2)
    rng = np.random.default_rng(1)
    episodes = step_both(ours, ref, mode, 400, rng, partial=True)
    assert episodes > 40
    assert episodes == ref.episode_count
    ours.close()
    ref.close()


def test_a_partial_reset_restarts_only_the_masked_envs_counts():
    """Under the wrapper without the mask (what gymnasium's vector envs hand it) a partial reset
    restarts every env's counts; the pool keeps the unmasked envs' running episodes."""
    options = {"num_envs": 2, "seed": 0, "max_episode_steps": 10}
    ours = fastpool.make("CartPole-v1", episode_statistics=True, **options)
    plain = RecordEpisodeStatistics(fastpool.make("CartPole-v1", **options))
    for env in (ours, plain):
        env.reset()
        for _ in range(4):
            env.step(np.zeros(2, dtype=np.int64))
        env.reset(options={"reset_mask": np.array([True, False])})
        for _ in range(6):
            *_, info = env.step(np.zeros(2, dtype=np.int64))
        if env is ours:
            assert not info["_episode"][0] and info["_episode"][1]
            assert info["episode"]["l"][1] == 10  # env 1: its whole episode
    assert info["episode"]["l"][1] == 6  # the wrapper: the steps since the partial reset


@pytest.mark.parametrize("mode", MODES)
def test_infos_equal_the_wrapper_over_gymnasiums_own_vector_env(mode):
    """With info_keys="gymnasium" the whole info dict, episode statistics included (but their
    times), equals RecordEpisodeStatistics over SyncVectorEnv of gymnasium's CartPole."""
    needs_the_wrappers_same_step_counts(mode)
    ours = fastpool.make(
        "CartPole-v1",
        num_envs=N,
        seed=0,
        autoreset_mode=mode,
        max_episode_steps=30,
        info_keys="gymnasium",
        episode_statistics=True,
    )
    ref = wrapper_over(
        SyncVectorEnv([lambda: gym.make("CartPole-v1", max_episode_steps=30) for _ in range(N)], autoreset_mode=mode)
    )
    ours.reset(seed=9)
    ref.reset(seed=9)
    assert step_both(ours, ref, mode, 250, np.random.default_rng(2), partial=True) > 20
    ours.close()
    ref.close()


def test_continuous_actions_and_other_envs():
    """Pendulum: float actions, float rewards summed in float64, as the wrapper sums them."""
    options = {"num_envs": N, "seed": 1, "max_episode_steps": 25}
    ours = fastpool.make("Pendulum-v1", episode_statistics=True, **options)
    ref = RecordEpisodeStatistics(fastpool.make("Pendulum-v1", **options))
    ours.reset()
    ref.reset()
    rng = np.random.default_rng(3)
    seen = 0
    for _ in range(80):
        actions = rng.uniform(-2, 2, (N, 1)).astype(np.float32)
        a, b = ours.step(actions), ref.step(actions)
        assert ("episode" in a[4]) == ("episode" in b[4])
        if "episode" in b[4]:
            seen += 1
            for key in ("r", "l"):
                np.testing.assert_array_equal(a[4]["episode"][key], b[4]["episode"][key])
    assert seen == 3  # steps 25, 51 and 77 (next-step autoreset: one reset step between episodes)


@pytest.mark.parametrize("mode", [AutoresetMode.NEXT_STEP, AutoresetMode.SAME_STEP])
def test_async_results_are_counted_per_env(mode):
    """send/recv in batches smaller than the pool: each env's episodes are those the wrapper
    reports over a one-env pool of its seed stepped with the actions that env received."""
    needs_the_wrappers_same_step_counts(mode)
    n, seed = 8, 11
    env = fastpool.make(
        "CartPole-v1",
        num_envs=n,
        batch_size=3,
        seed=seed,
        autoreset_mode=mode,
        max_episode_steps=25,
        episode_statistics=True,
    )
    env.async_reset()
    rng = np.random.default_rng(4)
    actions_of = [[] for _ in range(n)]
    episodes_of = [[] for _ in range(n)]
    for _ in range(300):
        _, _, _, _, info = env.recv()
        ids = info["env_id"]
        if "episode" in info:
            check_format(info, len(ids))
            for row in np.flatnonzero(info["_episode"]):
                episodes_of[ids[row]].append((info["episode"]["r"][row], info["episode"]["l"][row]))
        actions = rng.integers(0, 2, size=len(ids))
        for i, a in zip(ids, actions):
            actions_of[i].append(int(a))
        env.send(actions, ids)
    env.close()
    assert sum(len(e) for e in episodes_of) > 15
    for i in range(n):
        one = RecordEpisodeStatistics(
            fastpool.make("CartPole-v1", num_envs=1, seed=seed + i, autoreset_mode=mode, max_episode_steps=25)
        )
        one.reset()
        expected = []
        for a in actions_of[i][:-1]:  # the last was sent, not received
            *_, info = one.step(np.array([a]))
            if "episode" in info:
                expected.append((info["episode"]["r"][0], info["episode"]["l"][0]))
        assert episodes_of[i] == expected, i
        one.close()


def _breakout(mode, **options):
    return fastpool.make(
        "BreakoutNoFrameskip-v4",
        num_envs=N,
        seed=7,
        autoreset_mode=mode,
        max_episode_steps=200,
        episodic_life=True,
        **options,
    )


@pytest.mark.parametrize("mode", MODES)
def test_atari_reports_whole_games_with_episodic_life_and_clipped_rewards(mode):
    """Breakout with episodic_life=True and reward_clip=True: one entry per game (at game over
    or truncation, not at a lost life), r the sum of the game's unclipped rewards (from a
    parallel pool with reward_clip=False, the same seed and actions) and l its steps across
    lives."""
    ours = _breakout(mode, reward_clip=True, episode_statistics=True)
    raw = _breakout(mode, reward_clip=False)
    ours.reset()
    raw.reset()
    rng = np.random.default_rng(0)
    total, length = np.zeros(N), np.zeros(N, dtype=int)
    games = lives_lost = 0
    for _ in range(900):
        actions = rng.integers(0, 4, size=N)
        a, b = ours.step(actions), raw.step(actions)
        np.testing.assert_array_equal(a[2], b[2])  # the same games
        np.testing.assert_array_equal(np.sign(b[1]), a[1])
        reward, terminated, truncated, info = b[1], b[2], b[3], b[4]
        last = info["final_info"] if mode is AutoresetMode.SAME_STEP and "final_info" in info else info
        fresh = (info["elapsed_step"] == 0) & ~(terminated | truncated)  # next-step resets: no game step
        total += np.where(fresh, 0, reward)
        length += ~fresh
        game_end = (terminated | truncated) & ((last["game_over"] != 0) | truncated)
        lives_lost += int((terminated & ~game_end).sum())
        assert ("episode" in a[4]) == game_end.any()
        if game_end.any():
            check_format(a[4], N)
            np.testing.assert_array_equal(a[4]["_episode"], game_end)
            np.testing.assert_array_equal(a[4]["episode"]["r"], np.where(game_end, total, 0))
            np.testing.assert_array_equal(a[4]["episode"]["l"], np.where(game_end, length, 0))
            np.testing.assert_array_equal(a[4]["episode"]["r"][game_end], last["score"][game_end])
            games += int(game_end.sum())
        total[game_end] = 0
        length[game_end] = 0
        ended = terminated | truncated
        if mode is AutoresetMode.DISABLED and ended.any():
            ours.reset(options={"reset_mask": ended.copy()})
            raw.reset(options={"reset_mask": ended.copy()})
    assert games >= 8 and lives_lost > games  # games ended, and lives were lost within them
    ours.close()
    raw.close()


@pytest.mark.parametrize("mode", MODES)
def test_atari_statistics_are_the_wrappers_over_an_unclipped_pool(mode):
    """Without episodic life every episode is a game: with reward_clip=True the statistics equal,
    step for step, those gymnasium's RecordEpisodeStatistics computes over the same pool made
    with reward_clip=False (the same emulator; unclipped scores, which SpaceInvaders' 5 to 30
    points per invader set apart from the clipped rewards' sums)."""
    needs_the_wrappers_same_step_counts(mode)
    common = {"num_envs": N, "seed": 3, "autoreset_mode": mode, "max_episode_steps": 120}
    ours = fastpool.make("SpaceInvadersNoFrameskip-v4", reward_clip=True, episode_statistics=True, **common)
    ref = wrapper_over(fastpool.make("SpaceInvadersNoFrameskip-v4", **common))
    ours.reset()
    ref.reset()
    rng = np.random.default_rng(5)
    games = 0
    clipped = np.zeros(N)
    for _ in range(400):
        actions = rng.integers(0, ours.single_action_space.n, size=N)
        a, b = ours.step(actions), ref.step(actions)
        np.testing.assert_array_equal(a[0], b[0])
        clipped += a[1]
        assert ("episode" in a[4]) == ("episode" in b[4])
        if "episode" in b[4]:
            check_format(a[4], N)
            games += int(b[4]["_episode"].sum())
            np.testing.assert_array_equal(a[4]["_episode"], b[4]["_episode"])
            for key in ("r", "l"):
                assert a[4]["episode"][key].dtype == b[4]["episode"][key].dtype
                np.testing.assert_array_equal(a[4]["episode"][key], b[4]["episode"][key])
            done = a[4]["_episode"]
            assert (a[4]["episode"]["r"][done] > clipped[done]).any()
            clipped[done] = 0
        ended = a[2] | a[3]
        if mode is AutoresetMode.DISABLED and ended.any():
            ours.reset(options={"reset_mask": ended.copy()})
            ref.reset(options={"reset_mask": ended.copy()})
    assert games >= 8
    ours.close()
    ref.close()


def test_off_by_default_and_clashes_with_the_wrapper():
    """Without the option no info holds "episode" (the wrapper works over the pool); with it,
    the wrapper refuses the pool's infos at the first episode end, as it refuses any info that
    already holds its key."""
    plain = fastpool.make("CartPole-v1", num_envs=2, seed=0, max_episode_steps=5)
    plain.reset()
    for _ in range(6):
        assert "episode" not in plain.step(np.zeros(2, dtype=np.int64))[4]
    wrapped = RecordEpisodeStatistics(
        fastpool.make("CartPole-v1", num_envs=2, seed=0, max_episode_steps=5, episode_statistics=True)
    )
    wrapped.reset()
    for _ in range(4):
        wrapped.step(np.zeros(2, dtype=np.int64))
    with pytest.raises(ValueError, match="episode"):
        wrapped.step(np.zeros(2, dtype=np.int64))


@pytest.mark.parametrize("value", ["yes", 1, None, 0.0, np.int64(1)])
@pytest.mark.parametrize("env_id", ["CartPole-v1", "Breakout"])
def test_bad_values_are_a_type_error_naming_the_option(value, env_id):
    with pytest.raises(TypeError, match="episode_statistics must be a bool"):
        fastpool.make(env_id, num_envs=2, episode_statistics=value)
    with pytest.raises(TypeError, match="episode_statistics must be a bool"):
        fastpool.make(env_id, num_envs=2, backend="ray", episode_statistics=value)  # before any worker starts


def test_numpy_bools_are_accepted():
    env = fastpool.make("CartPole-v1", num_envs=2, seed=0, max_episode_steps=3, episode_statistics=np.bool_(True))
    env.reset()
    for _ in range(3):
        *_, info = env.step(np.zeros(2, dtype=np.int64))
    np.testing.assert_array_equal(info["episode"]["l"], [3, 3])


def test_front_ends_that_report_their_own_statistics_refuse_it():
    with pytest.raises(ValueError, match="vector pools"):
        gym.make("fastpool/CartPole-v1", episode_statistics=True)
    pytest.importorskip("stable_baselines3")
    with pytest.raises(ValueError, match="make_sb3 writes episode statistics itself"):
        fastpool.make_sb3("CartPole-v1", n_envs=2, episode_statistics=True)
    with pytest.raises(TypeError, match="episode_statistics must be a bool"):
        fastpool.make_sb3("CartPole-v1", n_envs=2, episode_statistics="no")


def test_gymnasium_make_vec_passes_it_to_the_pool():
    env = gym.make_vec(
        "fastpool/CartPole-v1", num_envs=2, vectorization_mode="vector_entry_point", episode_statistics=True
    )
    env.reset(seed=0)
    for _ in range(600):
        *_, info = env.step(np.zeros(2, dtype=np.int64))
        if "episode" in info:
            break
    check_format(info, 2)
    env.close()
