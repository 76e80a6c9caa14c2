"""fastpool beside ale-py's own env (from its wheel), both observing the console's RAM: the pair
the exact-parity tests step together."""

import gymnasium as gym

import fastpool

gym.register_envs(__import__("ale_py"))


def ram_pair(game, seed, sticky=0.0, **options):
    """A one-env fastpool pool and ale-py's v5 env for `game`, RAM observations and screens by
    render(), the same sticky-action probability and `options` (mode, difficulty); fastpool
    without its no-op starts and fire reset, which ale-py's env does not do."""
    ref = gym.make(
        f"ALE/{game}-v5", obs_type="ram", render_mode="rgb_array", repeat_action_probability=sticky, **options
    )
    pool = fastpool.make(
        f"{game}-v5",
        num_envs=1,
        seed=seed,
        obs_type="ram",
        noop_max=0,
        repeat_action_probability=sticky,
        use_fire_reset=False,
        **options,
    )
    return pool, ref
