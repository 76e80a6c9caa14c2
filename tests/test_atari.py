"""Atari: parity with gymnasium's AtariPreprocessing + FrameStackObservation over ale-py,
run side by side; every ROM; ids and defaults; episode semantics; seeding."""

import gymnasium as gym
import numpy as np
import pytest
from ale_py import roms
from ale_reference import ram_pair

import fastpool

gym.register_envs(__import__("ale_py"))


def _gym_reference(game, seed, noop_max, gray_scale=True):
    env = gym.make(f"ALE/{game}-v5", frameskip=1, repeat_action_probability=0.0)
    env = gym.wrappers.AtariPreprocessing(
        env, noop_max=noop_max, frame_skip=4, screen_size=84, grayscale_obs=gray_scale
    )
    env = gym.wrappers.FrameStackObservation(env, 4)
    obs, info = env.reset(seed=seed)
    return env, obs, info


def _assert_frames_close(ours, theirs):
    diff = np.abs(ours.astype(int) - np.asarray(theirs).astype(int))
    assert diff.max() <= 1, f"frames differ by up to {diff.max()} intensity levels"


@pytest.mark.parametrize("game, noop_max", [("Breakout", 0), ("Pong", 30), ("SpaceInvaders", 30)])
def test_matches_gymnasium_atari_preprocessing(game, noop_max):
    """Same seed, no sticky actions, same actions: rewards, terminations, truncations and
    lives equal at every step, frames within one intensity level (OpenCV's INTER_AREA)."""
    pytest.importorskip("cv2")  # gymnasium's AtariPreprocessing resizes with OpenCV
    seed, steps = 11, 1500
    ref, ref_obs, ref_info = _gym_reference(game, seed, noop_max)
    pool = fastpool.make(
        f"{game}-v5",
        num_envs=1,
        seed=seed,
        noop_max=noop_max,
        repeat_action_probability=0.0,
        use_fire_reset=False,
    )
    obs, info = pool.reset()
    _assert_frames_close(obs[0], ref_obs)
    assert info["lives"][0] == ref_info["lives"]
    assert info["episode_frame_number"][0] == ref_info["episode_frame_number"]

    actions = np.random.default_rng(3).integers(0, pool.single_action_space.n, size=steps)
    ended, rewarded = False, 0
    for a in actions:
        obs, reward, terminated, truncated, info = pool.step(np.array([a]))
        if ended:  # next-step autoreset: compare with gymnasium's reset
            ref_obs, ref_info = ref.reset()
            r, te, tr = 0.0, False, False
        else:
            ref_obs, r, te, tr, ref_info = ref.step(int(a))
        assert (reward[0], terminated[0], truncated[0]) == (r, te, tr)
        assert info["lives"][0] == ref_info["lives"]
        if not (te or tr):  # gymnasium repeats a stale frame when a game ends mid-skip
            _assert_frames_close(obs[0], ref_obs)
        ended = bool(te or tr)
        rewarded += r != 0
    assert rewarded > 0


def test_every_rom_runs():
    ids = [r for r in roms.get_all_rom_ids() if r not in {"combat", "joust", "maze_craze", "warlords"}]
    assert len(ids) >= 100
    for rom in ids:
        name = rom.title().replace("_", "")
        env = fastpool.make(name, num_envs=1, seed=0, noop_max=2)
        obs, _ = env.reset()
        for _ in range(3):
            obs, *_ = env.step(np.array([env.single_action_space.n - 1]))
        assert obs.shape == (1, 4, 84, 84)
        env.close()


def test_ids_and_their_defaults():
    names = fastpool.list_envs()
    for name in (
        "Breakout",
        "Breakout-v5",
        "ALE/Breakout-v5",
        "BreakoutNoFrameskip-v4",
        "Pong",
        "CartPole-v1",
    ):
        assert name in names
    from fastpool.registry import resolve

    assert resolve("Breakout").defaults["repeat_action_probability"] == 0.25
    assert resolve("ALE/Breakout-v5") is resolve("Breakout-v5")
    assert resolve("BreakoutNoFrameskip-v4").defaults["repeat_action_probability"] == 0.0


def test_observation_layout_and_info():
    env = fastpool.make("Breakout", num_envs=3, seed=0)
    obs, info = env.reset()
    assert obs.shape == (3, 4, 84, 84) and obs.dtype == np.uint8
    assert env.single_observation_space.shape == (4, 84, 84)
    np.testing.assert_array_equal(info["lives"], 5)
    assert set(info) >= {"env_id", "elapsed_step", "lives", "episode_frame_number", "game_over"}
    # the stack starts as copies of the first frame
    for i in range(3):
        for k in range(1, 4):
            np.testing.assert_array_equal(obs[i, k], obs[i, 0])


def test_rgb_matches_gymnasium_atari_preprocessing():
    """RGB frames (each channel max-pooled and resized on its own) against gymnasium's, step by step."""
    pytest.importorskip("cv2")
    ref, ref_obs, _ = _gym_reference("SpaceInvaders", 5, 0, gray_scale=False)
    pool = fastpool.make(
        "SpaceInvaders-v5",
        num_envs=1,
        seed=5,
        noop_max=0,
        repeat_action_probability=0.0,
        use_fire_reset=False,
        gray_scale=False,
    )
    obs, _ = pool.reset()

    def hwc(o):  # ours: stack x (R, G, B) planes; gymnasium's: stack x H x W x RGB
        return o.reshape(4, 3, 84, 84).transpose(0, 2, 3, 1)

    _assert_frames_close(hwc(obs[0]), ref_obs)
    for a in np.random.default_rng(4).integers(0, pool.single_action_space.n, size=300):
        obs, reward, terminated, truncated, _ = pool.step(np.array([a]))
        ref_obs, r, te, tr, _ = ref.step(int(a))
        assert (reward[0], terminated[0], truncated[0]) == (r, te, tr)
        if te or tr:
            break
        _assert_frames_close(hwc(obs[0]), ref_obs)


def test_rgb_and_custom_sizes():
    env = fastpool.make("Pong", num_envs=2, seed=0, gray_scale=False, img_height=64, img_width=48, stack_num=2)
    obs, _ = env.reset()
    assert obs.shape == (2, 6, 64, 48)
    obs, *_ = env.step(np.zeros(2, dtype=np.int64))
    assert obs.shape == (2, 6, 64, 48)


def test_render_returns_the_rgb_screen():
    env = fastpool.make("Breakout", num_envs=2, seed=0)
    env.reset()
    frame = env.render(1)
    assert frame.shape == (210, 160, 3) and frame.dtype == np.uint8 and frame.max() > 0
    assert fastpool.make("AirRaid", num_envs=1, seed=0).reset()[0].shape == (1, 4, 84, 84)  # a 250-row screen
    with pytest.raises(ValueError, match="out of range"):
        env.render(2)


def test_frame_skip_sums_rewards_and_reward_clip():
    raw = fastpool.make("Breakout", num_envs=4, seed=1, repeat_action_probability=0.0)
    clipped = fastpool.make("Breakout", num_envs=4, seed=1, repeat_action_probability=0.0, reward_clip=True)
    raw.reset()
    clipped.reset()
    rng = np.random.default_rng(0)
    seen = False
    for _ in range(400):
        a = rng.integers(0, 4, size=4)
        _, r1, *_ = raw.step(a)
        _, r2, *_ = clipped.step(a)
        np.testing.assert_array_equal(np.sign(r1), r2)
        seen |= (r1 > 1).any() or (r1 > 0).any()
    assert seen


def test_episodic_life_ends_episodes_on_life_loss_and_continues_the_game():
    env = fastpool.make("Breakout", num_envs=1, seed=0, episodic_life=True, repeat_action_probability=0.0)
    env.reset()
    lives_at_end = []
    for _ in range(3000):
        _, _, terminated, _truncated, info = env.step(np.array([1]))  # FIRE, never move: lose lives
        if terminated[0]:
            lives_at_end.append((int(info["lives"][0]), int(info["game_over"][0])))
            _, _, _, _, info = env.step(np.array([0]))  # the reset step
            if lives_at_end[-1][1] == 0:
                assert info["lives"][0] == lives_at_end[-1][0]  # the game went on
            else:
                assert info["lives"][0] == 5  # a new game
        if len(lives_at_end) == 6:
            break
    assert [lives for lives, _ in lives_at_end[:5]] == [4, 3, 2, 1, 0]
    assert [over for _, over in lives_at_end[:5]] == [0, 0, 0, 0, 1]


def test_losing_the_last_spare_life_is_no_episode_end():
    """SB3's EpisodicLifeEnv and EnvPool end an episode on 0 < lives < previous lives: in games
    that play on with 0 spare lives (WizardOfWor, Atlantis), lives 1 -> 0 is no end, only the
    game over is."""
    env = fastpool.make("WizardOfWor", num_envs=4, seed=0, episodic_life=True, repeat_action_probability=0.0)
    _, info = env.reset()
    lives = info["lives"].copy()
    rng = np.random.default_rng(0)
    played_on_at_zero = 0
    for _ in range(3000):
        _, _, terminated, _, info = env.step(rng.integers(0, env.single_action_space.n, size=4))
        now, over = info["lives"], info["game_over"] != 0
        expected = over | ((0 < now) & (now < lives))
        np.testing.assert_array_equal(terminated, expected)
        played_on_at_zero += int(((lives == 1) & (now == 0) & ~over).sum())
        lives = now.copy()
    assert played_on_at_zero >= 2


def test_truncation_at_max_episode_steps():
    env = fastpool.make("Pong", num_envs=2, seed=0, max_episode_steps=30)
    env.reset()
    for t in range(1, 31):
        _, _, _terminated, truncated, _info = env.step(np.zeros(2, dtype=np.int64))
        assert truncated.all() == (t == 30)


def test_same_seed_same_trajectories_any_thread_count_and_async():
    def run(num_threads, batch_size=None):
        env = fastpool.make("Breakout", num_envs=8, seed=5, num_threads=num_threads, batch_size=batch_size)
        rng = np.random.default_rng(1)
        actions = rng.integers(0, 4, size=(60, 8))  # step t of env i: actions[t, i]
        per_env = [[] for _ in range(8)]
        count = np.zeros(8, dtype=int)
        env.async_reset()
        while count.min() < 61:
            obs, rew, term, trunc, info = env.recv()
            ids = info["env_id"]
            for row, i in enumerate(ids):
                if count[i] <= 60:  # envs past their quota keep stepping, unrecorded
                    per_env[i].append((obs[row].tobytes(), float(rew[row]), bool(term[row]), bool(trunc[row])))
                count[i] += 1
            env.send(actions[np.minimum(count[ids], 60) - 1, ids], ids)
        return per_env

    reference = run(1)
    assert run(2) == reference
    assert run(4) == reference
    assert run(2, batch_size=4) == reference


def test_sticky_actions_make_identical_action_sequences_diverge():
    env = fastpool.make("Breakout", num_envs=8, seed=0, noop_max=0, use_fire_reset=False)
    env.reset()
    for _ in range(200):
        obs, *_ = env.step(np.full(8, 3))  # everyone presses RIGHT
    env.step(np.full(8, 1))
    for _ in range(100):
        obs, *_ = env.step(np.random.default_rng(0).integers(0, 4, size=1).repeat(8))
    assert len({o.tobytes() for o in obs}) > 1


def test_noop_starts_match_gymnasium_seed_streams():
    """Env i's no-op count is the one gymnasium's AtariPreprocessing draws for reset(seed=s + i)."""
    pytest.importorskip("cv2")
    seed, n = 21, 4
    pool = fastpool.make("Breakout", num_envs=n, seed=seed, repeat_action_probability=0.0, use_fire_reset=False)
    _, info = pool.reset()
    for i in range(n):
        _, _, ref_info = _gym_reference("Breakout", seed + i, noop_max=30)
        assert info["episode_frame_number"][i] == ref_info["episode_frame_number"]


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"frame_skip": 0}, ValueError, "frame_skip"),
        ({"stack_num": -1}, ValueError, "stack_num"),
        ({"img_height": 300}, ValueError, r"img_height must be in \[1, 210\]"),  # the screen
        ({"img_width": 161}, ValueError, r"img_width must be in \[1, 160\]"),
        ({"noop_max": -1}, ValueError, "noop_max"),
        ({"noop_max": 2**31 - 1}, ValueError, r"noop_max must be in \[0, 1000\]"),  # reset would never end
        ({"frame_skip": 10**6}, ValueError, r"frame_skip must be in \[1, 100\]"),
        ({"max_episode_steps": 2**40}, ValueError, "max_episode_steps"),
        ({"repeat_action_probability": 1.5}, ValueError, "repeat_action_probability"),
        ({"gray_scale": "yes"}, TypeError, "gray_scale"),
        ({"ram_info": 1}, TypeError, "ram_info must be a bool"),
        ({"episodic_lives": True}, TypeError, "no option"),
    ],
)
def test_bad_atari_options(kwargs, error, match):
    with pytest.raises(error, match=match):
        fastpool.make("Breakout", num_envs=1, **kwargs)


def test_bad_atari_actions_and_names():
    env = fastpool.make("Breakout", num_envs=2, seed=0)
    env.reset()
    with pytest.raises(ValueError, match=r"action 4 .* out of range \[0, 4\)"):
        env.step(np.array([0, 4]))
    with pytest.raises(ValueError, match="action -1"):
        env.step(np.array([-1, 0]))
    env.step(np.array([0, 3]))  # still usable
    with pytest.raises(ValueError, match="Breakout"):
        fastpool.make("Breakot", num_envs=1)


def test_missing_or_bad_rom_is_an_error_not_an_exit(tmp_path):
    config = fastpool._core.AtariConfig()
    config.rom_path = str(tmp_path / "nope.bin")
    with pytest.raises(RuntimeError, match="doesn't exist"):
        fastpool._core.make_atari(
            config, num_envs=1, num_threads=1, batch_size=1, autoreset=fastpool._core.Autoreset.NEXT_STEP, seed=0
        )
    (tmp_path / "junk.bin").write_bytes(b"\0" * 4096)
    config.rom_path = str(tmp_path / "junk.bin")
    with pytest.raises(ValueError, match="not a ROM"):
        fastpool._core.make_atari(
            config, num_envs=1, num_threads=1, batch_size=1, autoreset=fastpool._core.Autoreset.NEXT_STEP, seed=0
        )


def test_same_step_autoreset_keeps_the_final_frame():
    env = fastpool.make("Pong", num_envs=2, seed=0, max_episode_steps=10, autoreset_mode="same_step")
    env.reset()
    for _ in range(10):
        obs, _, _, truncated, info = env.step(np.zeros(2, dtype=np.int64))
    assert truncated.all()
    assert info["_final_obs"].all()
    for i in range(2):
        final = info["final_obs"][i]
        assert final.shape == (4, 84, 84)
        # the new episode's stack is its first frame repeated; the final stack is not a fresh start
        np.testing.assert_array_equal(obs[i, 0], obs[i, 3])
    np.testing.assert_array_equal(info["final_info"]["elapsed_step"], 10)


def test_reset_seed_reproduces_atari_trajectories():
    env = fastpool.make("Breakout", num_envs=3, seed=0)
    actions = np.random.default_rng(2).integers(0, 4, size=(50, 3))

    def play(seed):
        obs, _ = env.reset(seed=seed)
        out = [obs.copy()]
        for a in actions:
            out.append(env.step(a)[0].copy())
        return np.stack(out)

    first = play(123)
    other = play(7)
    again = play(123)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


@pytest.mark.parametrize(
    "options, error, match",
    [
        ({"img_height": 10**5, "img_width": 10**5}, ValueError, r"img_height must be in \[1, 210\], got 100000"),
        ({"img_width": 10**5}, ValueError, r"img_width must be in \[1, 160\], got 100000"),
        ({"stack_num": 10**6}, ValueError, r"stack_num must be in \[1, 64\]"),
        ({"gray_scale": "no"}, TypeError, "gray_scale must be a bool"),
        ({"img_height": 84.0}, TypeError, "img_height must be an int"),
    ],
)
def test_options_are_checked_before_the_memory_estimate(options, error, match):
    """A bad option is named, not answered with a MemoryError computed from it."""
    with pytest.raises(error, match=match):
        fastpool.make("Breakout", num_envs=2**20, **options)


# -- game modes and difficulties, RAM observations ----------------------------------------------


def _play_against_ale_py(game, steps, seed=3, **options):
    """fastpool with RAM observations, and ale-py's env with obs_type="ram", both under `options`
    (mode, difficulty) and the same actions: the RAM, screen, reward, termination and lives equal
    at every step, across the resets after episode ends and a re-seeding reset half-way (which
    reloads the ROM). Returns the RAMs and the episode count."""
    pool, ref = ram_pair(game, seed, **options)
    assert pool.single_observation_space == gym.spaces.Box(0, 255, (128,), np.uint8)
    assert pool.single_action_space == ref.action_space
    obs, info = pool.reset()
    ref_obs, ref_info = ref.reset(seed=seed)
    assert obs.shape == (1, 128) and obs.dtype == np.uint8
    np.testing.assert_array_equal(obs[0], ref_obs)
    np.testing.assert_array_equal(pool.render(0), ref.render())
    rams, ended, episodes = [obs[0].copy()], False, 0
    for t, a in enumerate(np.random.default_rng(seed).integers(0, pool.single_action_space.n, size=steps)):
        if t == steps // 2:
            obs, info = pool.reset(seed=seed + 1)
            ref_obs, ref_info = ref.reset(seed=seed + 1)
            np.testing.assert_array_equal(obs[0], ref_obs)
            ended = False
        obs, reward, terminated, truncated, info = pool.step(np.array([a]))
        if ended:  # next-step autoreset: ale-py's env is reset by hand, without a seed
            ref_obs, ref_info = ref.reset()
            r, te, tr = 0.0, False, False
        else:
            ref_obs, r, te, tr, ref_info = ref.step(int(a))
        assert (reward[0], terminated[0], truncated[0]) == (r, te, tr)
        assert info["lives"][0] == ref_info["lives"]
        np.testing.assert_array_equal(obs[0], ref_obs)
        np.testing.assert_array_equal(pool.render(0), ref.render())
        rams.append(obs[0].copy())
        ended = bool(te or tr)
        episodes += ended
    pool.close()
    ref.close()
    return np.array(rams), episodes


@pytest.mark.parametrize(
    "game, mode, difficulty, steps, min_episodes",
    # Freeway's game lasts 2043 steps: its resets are the re-seeding one only
    [("Breakout", 12, 1, 1200, 2), ("SpaceInvaders", 7, 1, 1200, 1), ("Freeway", 3, 1, 600, 0)],
)
def test_modes_and_difficulties_match_ale_py(game, mode, difficulty, steps, min_episodes):
    """A non-default mode and difficulty, as ale-py applies them (set after each ROM load, before
    the game resets), step for step against ale-py's env; they hold across resets, and they
    change the game."""
    rams, episodes = _play_against_ale_py(game, steps, mode=mode, difficulty=difficulty)
    assert episodes >= min_episodes  # then the mode and difficulty were compared after game resets too
    default, _ = _play_against_ale_py(game, 50)
    assert not np.array_equal(rams[:51], default)


@pytest.mark.parametrize("game", ["Breakout", "Freeway"])
@pytest.mark.parametrize("seed", [1, 123])  # ale-py's emulator word for 123 is >= 2**31, for 1 below
def test_sticky_actions_follow_ale_pys_seeding(game, seed):
    """With sticky actions (v5's 0.25) the same seed draws the same repeats as ale-py's env:
    RAM, screen and reward equal at every step, whatever the seed's emulator word."""
    pool, ref = ram_pair(game, seed, sticky=0.25)
    obs, _ = pool.reset()
    ref_obs, _ = ref.reset(seed=seed)
    for a in np.random.default_rng(seed).integers(0, pool.single_action_space.n, size=300):
        obs, reward, terminated, _, _ = pool.step(np.array([a]))
        ref_obs, r, te, _, _ = ref.step(int(a))
        np.testing.assert_array_equal(obs[0], ref_obs)
        np.testing.assert_array_equal(pool.render(0), ref.render())
        assert (reward[0], terminated[0]) == (r, te)
        if te:
            break
    pool.close()
    ref.close()


def test_ram_observations_match_ale_py():
    rams, _ = _play_against_ale_py("Pong", 600)
    assert len({r.tobytes() for r in rams}) > 100


def test_ram_info_is_the_console_ram_beside_the_screen():
    """ram_info=True (EnvPool's info["ram"]): each step's RAM equals the observation of a pool
    with obs_type="ram" under the same seed and actions (those equal ale-py's, tested above),
    ended episodes' RAM in final_info, a partial reset's other rows zero and masked out; the
    screens are those of a pool without it."""
    kw = {"num_envs": 4, "seed": 3, "episodic_life": True, "autoreset_mode": "same_step"}
    pool = fastpool.make("Breakout", ram_info=True, **kw)
    rams = fastpool.make("Breakout", obs_type="ram", **kw)
    screens = fastpool.make("Breakout", **kw)
    assert "ram" not in screens.reset()[1]
    obs, info = pool.reset()
    ram, _ = rams.reset()
    assert info["ram"].shape == (4, 128) and info["ram"].dtype == np.uint8 and info["_ram"].all()
    np.testing.assert_array_equal(info["ram"], ram)
    ends = 0
    for a in np.random.default_rng(0).integers(0, 4, size=(400, 4)):
        obs, _, terminated, truncated, info = pool.step(a)
        ram, _, _, _, ram_info = rams.step(a)
        np.testing.assert_array_equal(obs, screens.step(a)[0])
        np.testing.assert_array_equal(info["ram"], ram)
        ended = terminated | truncated
        if ended.any():
            ends += 1
            final = info["final_info"]
            np.testing.assert_array_equal(final["_ram"], ended)
            for i in range(4):
                expected = ram_info["final_obs"][i] if ended[i] else np.zeros(128, np.uint8)
                np.testing.assert_array_equal(final["ram"][i], expected)
    assert ends >= 3
    mask = np.array([True, False, False, True])
    _, info = pool.reset(options={"reset_mask": mask})
    ram, _ = rams.reset(options={"reset_mask": mask})
    np.testing.assert_array_equal(info["_ram"], mask)
    np.testing.assert_array_equal(info["ram"], np.where(mask[:, None], ram, 0))
    # a sync batch of some envs packs their rows, RAM included
    pool.send(np.array([1, 2]), env_ids=np.array([3, 1]))
    rams.send(np.array([1, 2]), env_ids=np.array([3, 1]))
    *_, info = pool.recv()
    ram, *_ = rams.recv()
    np.testing.assert_array_equal(info["env_id"], [1, 3])
    np.testing.assert_array_equal(info["ram"], ram)
    for env in (pool, rams, screens):
        env.close()


def test_mode_applies_to_screen_observations_too():
    """The preprocessed screen under a mode, against gymnasium's AtariPreprocessing over ale-py's
    env made with that mode."""
    pytest.importorskip("cv2")
    mode, difficulty = 9, 1
    ref = gym.make("ALE/SpaceInvaders-v5", frameskip=1, repeat_action_probability=0.0, mode=mode, difficulty=difficulty)
    ref = gym.wrappers.FrameStackObservation(gym.wrappers.AtariPreprocessing(ref, noop_max=0, frame_skip=4), 4)
    ref_obs, _ = ref.reset(seed=2)
    pool = fastpool.make(
        "SpaceInvaders-v5",
        num_envs=1,
        seed=2,
        noop_max=0,
        repeat_action_probability=0.0,
        use_fire_reset=False,
        mode=mode,
        difficulty=difficulty,
    )
    obs, _ = pool.reset()
    _assert_frames_close(obs[0], ref_obs)
    for a in np.random.default_rng(5).integers(0, pool.single_action_space.n, size=300):
        obs, reward, terminated, truncated, _ = pool.step(np.array([a]))
        ref_obs, r, te, tr, _ = ref.step(int(a))
        assert (reward[0], terminated[0], truncated[0]) == (r, te, tr)
        if te or tr:
            break
        _assert_frames_close(obs[0], ref_obs)


# Digests of 400 steps of two envs (seed 123, sticky actions as each id sets them): every RGB
# screen, reward, end flag and info field, recorded before modes and difficulties existed (the
# sticky ids' again when their emulator seed became ale-py's for every seed, see
# test_sticky_actions_follow_ale_pys_seeding). The screens are ALE's palette applied to its
# frame buffer, the same on every platform.
_DEFAULT_DIGESTS = {
    "Breakout-v5": "fd9b92ee0209474a774d5ab7be110fed",
    "SpaceInvadersNoFrameskip-v4": "e7efcc9b76e5d9bb6ab7b8650b2967f3",
    "Freeway-v5": "d2786b5a0bf278b2c70737cb577cb232",
}


def _digest(env_id, **options):
    import hashlib

    env = fastpool.make(env_id, num_envs=2, seed=123, **options)
    h = hashlib.sha256()
    obs, info = env.reset()
    rng = np.random.default_rng(7)
    frames = [obs.copy()]
    for _ in range(400):
        for i in range(2):
            h.update(env.render(i).tobytes())
        for k in ("lives", "episode_frame_number", "frame_number", "game_over", "score", "game_step"):
            h.update(np.asarray(info[k], np.int64).tobytes())
        obs, r, te, tr, info = env.step(rng.integers(0, env.single_action_space.n, size=2))
        h.update(np.asarray(r, np.float64).tobytes())
        h.update(te.tobytes())
        h.update(tr.tobytes())
        frames.append(obs.copy())
    env.close()
    return h.hexdigest()[:32], np.stack(frames)


@pytest.mark.parametrize("env_id", sorted(_DEFAULT_DIGESTS))
def test_default_mode_and_difficulty_play_as_before(env_id):
    """Without mode or difficulty nothing is set: games play exactly as before these options
    existed; and the defaults named explicitly play the same, frames included."""
    digest, frames = _digest(env_id)
    assert digest == _DEFAULT_DIGESTS[env_id]
    explicit, explicit_frames = _digest(env_id, mode=0, difficulty=0)
    assert explicit == digest
    np.testing.assert_array_equal(explicit_frames, frames)


@pytest.mark.parametrize("game, rom", [("Breakout", "breakout"), ("Pong", "pong")])
def test_unavailable_modes_and_difficulties_are_refused_up_front(game, rom):
    """ValueError listing what the game offers (ALE's getAvailableModes/getAvailableDifficulties),
    before any env is built: a pool of 512 would take seconds."""
    import time

    import ale_py

    ale = ale_py.ALEInterface()
    ale.setLoggerMode(ale_py.LoggerMode.Error)
    ale.loadROM(roms.get_rom_path(rom))
    modes, difficulties = list(ale.getAvailableModes()), list(ale.getAvailableDifficulties())
    for kwargs, offered in (
        ({"mode": 3}, f"modes are {modes}"),
        ({"mode": -1}, f"modes are {modes}"),
        ({"difficulty": 7}, f"difficulties are {difficulties}"),
        ({"mode": modes[-1], "difficulty": 9}, f"difficulties are {difficulties}"),
    ):
        start = time.perf_counter()
        with pytest.raises(ValueError, match="is not available in " + rom) as e:
            fastpool.make(game, num_envs=512, **kwargs)
        assert offered in str(e.value)
        assert time.perf_counter() - start < 2.0
    with pytest.raises(ValueError, match="out of range"):
        fastpool.make(game, num_envs=1, mode=2**40)
    for bad in ("4", 4.0, True):
        with pytest.raises(TypeError, match="mode must be an int or None"):
            fastpool.make(game, num_envs=1, mode=bad)
    env = fastpool.make(game, num_envs=1, mode=modes[-1], difficulty=difficulties[-1])
    env.reset()
    env.close()


def test_ram_observations_refuse_screen_options():
    for option, value in (("stack_num", 4), ("img_height", 64), ("gray_scale", False), ("maxpool", False)):
        with pytest.raises(ValueError, match=f"obs_type='ram' observes the console's 128-byte RAM; {option}"):
            fastpool.make("Breakout", num_envs=1, obs_type="ram", **{option: value})
    with pytest.raises(ValueError, match=r"obs_type must be 'image' or 'ram', got 'rgb' \(RGB frames"):
        fastpool.make("Breakout", num_envs=1, obs_type="rgb")
    with pytest.raises(ValueError, match="obs_type must be"):
        fastpool.make("Breakout", num_envs=1, obs_type=None)
    # the image options still apply to image observations, named or not
    assert fastpool.make("Breakout", num_envs=1, obs_type="image", stack_num=2).single_observation_space.shape == (
        2,
        84,
        84,
    )


def test_ram_observations_are_not_stacks():
    """A RAM observation is one 128-byte vector: trainers and the Ray backend see no frame stack,
    and same-step autoreset keeps the final RAM."""
    from fastpool.families import env_options, family_of

    assert family_of("Breakout").frame_stack(env_options("Breakout", {"obs_type": "ram"})) == 1
    assert family_of("Breakout").frame_stack(env_options("Breakout")) == 4
    env = fastpool.make("Pong", num_envs=2, seed=0, obs_type="ram", max_episode_steps=5, autoreset_mode="same_step")
    env.reset()
    for _ in range(5):
        obs, _, _, truncated, info = env.step(np.zeros(2, dtype=np.int64))
    assert truncated.all() and obs.shape == (2, 128)
    assert all(f.shape == (128,) and f.dtype == np.uint8 for f in info["final_obs"])
    env.close()
