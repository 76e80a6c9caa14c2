"""Game resets replayed from snapshots (cpp/fastpool/envs/atari/reset_snapshots.h) against the
unchanged emulator: ale-py's own env from its wheel, step for step, over many resets, on ROMs
whose resets recur quickly and on ROMs with many reset states, sticky actions off and on."""

import numpy as np
import pytest
from ale_reference import ram_pair

import fastpool


def _play(game, sticky, steps, seed=5):
    """fastpool (RAM observations, screens by render) and ale-py's env, same seed and actions,
    reset by hand every 1-20 steps besides the games' own ends, and re-seeded (a ROM reload)
    half-way: RAM, screen, reward, termination and lives equal at every step. Returns the
    snapshot counters."""
    pool, ref = ram_pair(game, seed, sticky)
    obs, _ = pool.reset()
    ref_obs, _ = ref.reset(seed=seed)
    rng = np.random.default_rng(seed)
    next_reset, ended = int(rng.integers(1, 21)), False
    for t in range(steps):
        if t == steps // 2:
            obs, _ = pool.reset(seed=seed + 1)
            ref_obs, _ = ref.reset(seed=seed + 1)
        elif t == next_reset:
            obs, _ = pool.reset()
            ref_obs, _ = ref.reset()
            next_reset = t + int(rng.integers(1, 21))
        else:
            a = int(rng.integers(0, pool.single_action_space.n))
            obs, reward, terminated, truncated, info = pool.step(np.array([a]))
            if ended:  # next-step autoreset: ale-py's env is reset by hand, without a seed
                ref_obs, _ = ref.reset()
                r, te, tr = 0.0, False, False
            else:
                ref_obs, r, te, tr, ref_info = ref.step(a)
                assert info["lives"][0] == ref_info["lives"], f"step {t}"
            assert (reward[0], terminated[0], truncated[0]) == (r, te, tr), f"step {t}"
            ended = bool(te or tr)
        np.testing.assert_array_equal(obs[0], ref_obs, err_msg=f"RAM, step {t}")
        np.testing.assert_array_equal(pool.render(0), ref.render(), err_msg=f"screen, step {t}")
    counters = pool.engine.counters(0)
    pool.close()
    ref.close()
    return counters


@pytest.mark.parametrize("sticky", [0.0, 0.25])
@pytest.mark.parametrize(
    "game, steps",
    [
        ("Breakout", 600),  # a handful of reset states
        ("Pong", 600),  # paddles
        ("SpaceInvaders", 600),
        ("Seaquest", 2500),  # dozens of reset states (the console's timer starts at random)
        ("MsPacman", 2500),
        ("Qbert", 300),  # its resets end mid-frame: never replayed, still exact
    ],
)
def test_snapshot_resets_equal_ale_pys_resets(game, sticky, steps):
    counters = _play(game, sticky, steps)
    if game == "Qbert":
        assert counters["reset_snapshot_hits"] == 0 and counters["reset_snapshots_kept"] == 0
    else:  # the snapshots were used
        assert counters["reset_snapshot_hits"] >= 5, counters


def test_counters_are_per_env_and_checked():
    pool = fastpool.make("Breakout-v5", num_envs=2, seed=0)
    pool.reset()
    assert set(pool.engine.counters(1)) == {"reset_snapshot_hits", "reset_snapshot_misses", "reset_snapshots_kept"}
    with pytest.raises(ValueError, match="out of range"):
        pool.engine.counters(2)
    assert fastpool.make("CartPole-v1", num_envs=1).engine.counters(0) == {}
