"""Frames nobody reads (ALE patch 3, cpp/fastpool/envs/atari/ale_patches/): the frames of a skip
before the ones an observation shows are emulated without drawing. The game must run exactly as
on the unchanged emulator (ale-py's own env from its wheel), and an episode that ends on an
undrawn frame shows the last drawn one, as EnvPool does."""

import numpy as np
import pytest
from ale_reference import ram_pair

import fastpool


@pytest.mark.parametrize("game", ["Breakout", "Pong", "SpaceInvaders", "Seaquest", "Asterix", "MsPacman"])
def test_undrawn_frames_play_the_game_exactly(game):
    """RAM observations (frames 0-2 of each skip undrawn) beside ale-py's env, many games long:
    RAM, reward, termination and lives equal at every step; the screen too, except after a game
    that ended on an undrawn frame, where render() shows the last drawn screen (the step before's)."""
    pool, ref = ram_pair(game, 7)
    obs, info = pool.reset()
    ref.reset(seed=7)
    rng = np.random.default_rng(1)
    shown, undrawn_ends, ends = pool.render(0), 0, 0
    for t in range(2500):
        a = int(rng.integers(0, pool.single_action_space.n))
        frame_before = info["episode_frame_number"][0]
        obs, reward, terminated, truncated, info = pool.step(np.array([a]))
        ref_obs, r, te, tr, ref_info = ref.step(a)
        np.testing.assert_array_equal(obs[0], ref_obs, err_msg=f"RAM, step {t}")
        assert (reward[0], terminated[0], truncated[0], info["lives"][0]) == (r, te, tr, ref_info["lives"]), t
        if ref_info["episode_frame_number"] - frame_before < 4:  # ended on frame 0, 1 or 2 of the skip
            assert te or tr
            undrawn_ends += 1
            np.testing.assert_array_equal(pool.render(0), shown, err_msg=f"step {t}")
        else:
            np.testing.assert_array_equal(pool.render(0), ref.render(), err_msg=f"screen, step {t}")
        if te or tr:
            ends += 1
            obs, *_, info = pool.step(np.array([0]))  # next-step autoreset, as ale-py's reset
            ref_obs, _ = ref.reset()
            np.testing.assert_array_equal(obs[0], ref_obs)
            np.testing.assert_array_equal(pool.render(0), ref.render())
        shown = pool.render(0)
    assert ends >= 1
    pool.close()
    ref.close()
    assert undrawn_ends >= 1  # the case this test is for


def test_an_episode_that_ends_on_an_undrawn_frame_repeats_the_last_frame():
    """Screens: frames 0-1 of a skip are undrawn (2-3 are max-pooled). An episode that ends on one
    shows the last observation's newest frame again, pushed onto the stack (EnvPool's frame); one
    that ends on frame 2 shows that frame; final_obs holds what the step showed."""
    env = fastpool.make("Breakout", num_envs=4, seed=0, episodic_life=True, autoreset_mode="same_step")
    obs, info = env.reset()
    rng = np.random.default_rng(0)
    undrawn = drawn = 0
    for _ in range(1500):
        before_obs, before_frames = obs.copy(), info["episode_frame_number"].copy()
        obs, _, terminated, truncated, info = env.step(rng.integers(0, 4, size=4))
        for i in np.flatnonzero(terminated | truncated):
            final = info["final_obs"][i]
            frames = info["final_info"]["episode_frame_number"][i] - before_frames[i]
            np.testing.assert_array_equal(final[:3], before_obs[i, 1:])  # the stack moved on by one
            if frames <= 2:  # the game ended on frame 0 or 1
                undrawn += 1
                np.testing.assert_array_equal(final[3], before_obs[i, 3])
            elif not np.array_equal(final[3], before_obs[i, 3]):
                drawn += 1  # a drawn last frame: new
    assert undrawn >= 3 and drawn >= 3, (undrawn, drawn)
    env.close()
