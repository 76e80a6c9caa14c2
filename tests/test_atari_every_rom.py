"""fastpool's build of ALE (its patches in cpp/fastpool/envs/atari/ale_patches/) against ale-py's own
emulator on every ROM: each game's objects, colours and frame timings reach a different part of the
emulator, and a screen can hold pixels of frames long gone (a frame cut short keeps the rest of its
buffer as the frame two before drew it), so six games are not enough."""

import gymnasium as gym
import numpy as np
import pytest
from ale_reference import ram_pair

gym.register_envs(__import__("ale_py"))

GAMES = sorted({e.removeprefix("ALE/").removesuffix("-v5") for e in gym.registry if e.startswith("ALE/") and e.endswith("-v5")})
MULTIPLAYER_ONLY = {"Combat", "Joust", "MazeCraze", "Warlords"}


def test_the_list_is_every_rom():
    assert len(set(GAMES) - MULTIPLAYER_ONLY) >= 100


@pytest.mark.parametrize("game", sorted(set(GAMES) - MULTIPLAYER_ONLY))
def test_every_rom_plays_as_on_ale_pys_emulator(game):
    """500 random steps and the episodes they end (next-step autoreset beside ale-py's reset):
    RAM, reward, termination, truncation, lives and the screen equal at every step."""
    pool, ref = ram_pair(game, 3)
    obs, _ = pool.reset()
    ref.reset(seed=3)
    rng = np.random.default_rng(0)
    for t in range(500):
        a = int(rng.integers(0, pool.single_action_space.n))
        obs, reward, terminated, truncated, info = pool.step(np.array([a]))
        ref_obs, r, te, tr, ref_info = ref.step(a)
        np.testing.assert_array_equal(obs[0], ref_obs, err_msg=f"RAM, step {t}")
        assert (reward[0], terminated[0], truncated[0], info["lives"][0]) == (r, te, tr, ref_info["lives"]), t
        np.testing.assert_array_equal(pool.render(0), ref.render(), err_msg=f"screen, step {t}")
        if te or tr:
            obs, *_ = pool.step(np.array([0]))
            ref_obs, _ = ref.reset()
            np.testing.assert_array_equal(obs[0], ref_obs, err_msg=f"RAM after the reset, step {t}")
            np.testing.assert_array_equal(pool.render(0), ref.render(), err_msg=f"screen after the reset, step {t}")
    pool.close()
    ref.close()
