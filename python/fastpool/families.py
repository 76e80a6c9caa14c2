"""How each env family is built: a function from (registry entry, options, pool arguments) to
the engine's pool and its observation space. Adding a family is one function and one line in
BUILDERS; adding an env to a family is one registry entry (fastpool.registry)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from gymnasium import spaces

from fastpool import _core
from fastpool.registry import ATARI_BOUNDS, EnvEntry

MAX_INT32 = 2**31 - 1
Built = tuple[_core.Pool, spaces.Box]


def int_in(name: str, value: Any, low: int, high: int) -> int:
    """value, an int in [low, high], or a TypeError/ValueError naming the option and its range."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be an int in [{low}, {high}], got {type(value).__name__}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be in [{low}, {high}], got {value}")
    return int(value)


def _box(entry: EnvEntry) -> spaces.Box:
    if entry.obs_bounds is None:  # pragma: no cover - every vector-observation entry states its bounds
        raise AssertionError(f"{entry.env_id} has no observation bounds")
    low, high = (np.array(b, dtype=np.float32) for b in entry.obs_bounds)
    return spaces.Box(low, high, dtype=np.float32)


def build_classic_control(entry: EnvEntry, options: dict[str, Any], pool: dict[str, Any]) -> Built:
    steps = int_in("max_episode_steps", options["max_episode_steps"], 1, MAX_INT32)
    return _core.make_classic_control(entry.core_name, **pool, max_episode_steps=steps), _box(entry)


def build_atari(entry: EnvEntry, options: dict[str, Any], pool: dict[str, Any]) -> Built:
    core = _core.make_atari(atari_config(entry.game, options), **pool)
    return core, spaces.Box(0, 255, shape=tuple(core.obs_shape), dtype=np.uint8)


def build_faulty(entry: EnvEntry, options: dict[str, Any], pool: dict[str, Any]) -> Built:
    return _core.make_faulty(**pool), spaces.Box(0, np.inf, shape=(1,), dtype=np.float32)


BUILDERS: dict[str, Callable[[EnvEntry, dict[str, Any], dict[str, Any]], Built]] = {
    "classic_control": build_classic_control,
    "atari": build_atari,
    "faulty": build_faulty,
}


def atari_config(game: str | None, options: dict[str, Any]) -> _core.AtariConfig:
    from ale_py import roms

    if game is None:  # pragma: no cover - every Atari entry names its game
        raise AssertionError("an Atari entry without a game")
    config = _core.AtariConfig()
    config.rom_path = str(roms.get_rom_path(game))
    for name, (low, high) in ATARI_BOUNDS.items():
        setattr(config, name, int_in(name, options[name], low, high))
    for name in (
        "maxpool",
        "gray_scale",
        "episodic_life",
        "use_fire_reset",
        "reward_clip",
        "full_action_space",
    ):
        if not isinstance(options[name], (bool, np.bool_)):
            raise TypeError(f"{name} must be a bool, got {options[name]!r}")
        setattr(config, name, bool(options[name]))
    p = options["repeat_action_probability"]
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating, np.integer)) or not 0.0 <= p <= 1.0:
        raise ValueError(f"repeat_action_probability must be a number in [0, 1], got {p!r}")
    config.repeat_action_probability = float(p)
    return config
