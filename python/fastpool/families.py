"""The family table: everything fastpool knows about a family of envs in one place. How its
pools are built (a function from registry entry, options and pool arguments to the engine's pool
and its observation space), how much memory a pool needs, and what trainers and front ends must
know of it (frame stacks, evaluation settings, SB3's defaults, how an episode's score is counted).
Adding a family is one builder and one FAMILIES entry; adding an env to a family is one registry
entry (fastpool.registry). No code outside this module asks which family an env belongs to."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
from gymnasium import spaces

from fastpool import _core
from fastpool.registry import ATARI_BOUNDS, ATARI_ENV_BYTES, EnvEntry, resolve

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


def check_classic_control(options: Mapping[str, Any]) -> None:
    int_in("max_episode_steps", options["max_episode_steps"], 1, MAX_INT32)


def build_classic_control(entry: EnvEntry, options: dict[str, Any], pool: dict[str, Any]) -> Built:
    steps = int_in("max_episode_steps", options["max_episode_steps"], 1, MAX_INT32)
    return _core.make_classic_control(entry.core_name, **pool, max_episode_steps=steps), _box(entry)


def build_atari(entry: EnvEntry, options: dict[str, Any], pool: dict[str, Any]) -> Built:
    core = _core.make_atari(atari_config(entry.game, options), **pool)
    return core, spaces.Box(0, 255, shape=tuple(core.obs_shape), dtype=np.uint8)


def build_faulty(entry: EnvEntry, options: dict[str, Any], pool: dict[str, Any]) -> Built:
    return _core.make_faulty(**pool), spaces.Box(0, np.inf, shape=(1,), dtype=np.float32)


def batch_memory(obs_bytes: int, num_info: int, num_envs: int, batch: int) -> int:
    """Bytes of a pool's batch buffers: num_envs // batch + 2 batches of `batch` rows, each row an
    observation, reward, flags, env id, step count and info columns, and the same-step final
    observation, step count and info (counted always: the estimate errs high by those)."""
    row = obs_bytes + 8 + 1 + 1 + 4 + 4 + 4 * num_info
    final = obs_bytes + 4 + 4 * num_info
    return (num_envs // batch + 2) * batch * (row + final)


# Bytes of one classic-control env beyond the batch buffers: the env object and its allocation,
# the engine's per-env books (task, action, seed, flags, queue) and the front end's (seed list,
# info, flags). Measured: 2**18 and 2**20 envs, reset and stepped, same-step autoreset, grow RSS
# and address space by 437 (Pendulum), 496 (CartPole) and 568 (Acrobot) bytes per env, batch
# buffers included (batch_memory counts 222 of them), so about 350; +25%.
CLASSIC_CONTROL_ENV_BYTES = 448
_CLASSIC_CONTROL_OBS_BYTES = 6 * 4  # the largest observation of the family (Acrobot: 6 float32)


def classic_control_memory(options: Mapping[str, Any], num_envs: int, batch: int) -> int:
    """Bytes a classic-control pool needs: every env and its books, and the batch buffers."""
    return num_envs * CLASSIC_CONTROL_ENV_BYTES + batch_memory(_CLASSIC_CONTROL_OBS_BYTES, 0, num_envs, batch)


def faulty_memory(options: Mapping[str, Any], num_envs: int, batch: int) -> int:
    """The test family's pools: as classic control's, with one float observation and no info."""
    return num_envs * CLASSIC_CONTROL_ENV_BYTES + batch_memory(4, 0, num_envs, batch)


_ATARI_INFO_COLUMNS = 6  # lives, episode_frame_number, frame_number, game_over, score, game_step


def atari_memory(options: Mapping[str, Any], num_envs: int, batch: int) -> int:
    """Bytes an Atari pool needs: each emulator with its screens and its frame stack, and the
    batch buffers. `options` must be checked (check_atari_options) first."""
    info = _ATARI_INFO_COLUMNS + (ATARI_RAM_BYTES // 4 if options["ram_info"] else 0)
    if options["obs_type"] == "ram":
        return num_envs * ATARI_ENV_BYTES + batch_memory(ATARI_RAM_BYTES, info, num_envs, batch)
    frame = options["img_height"] * options["img_width"] * (1 if options["gray_scale"] else 3)
    per_env = ATARI_ENV_BYTES + frame * (options["stack_num"] + 3)
    return num_envs * per_env + batch_memory(frame * options["stack_num"], info, num_envs, batch)


# What shapes an Atari screen observation; RAM observations have no use for these.
ATARI_SCREEN_OPTIONS = ("img_height", "img_width", "gray_scale", "maxpool", "stack_num")
ATARI_RAM_BYTES = 128


def atari_options(options: dict[str, Any], given: Collection[str]) -> dict[str, Any]:
    """Atari's options taken together: obs_type, and with obs_type="ram" no screen options (a
    RAM observation is not a stack: stack_num becomes 1)."""
    obs_type = options["obs_type"]
    if not isinstance(obs_type, str) or obs_type not in ("image", "ram"):
        hint = " (RGB frames: obs_type='image', gray_scale=False)" if obs_type in ("rgb", "grayscale") else ""
        raise ValueError(f"obs_type must be 'image' or 'ram', got {obs_type!r}{hint}")
    if obs_type == "ram":
        conflicting = [name for name in ATARI_SCREEN_OPTIONS if name in given]
        if conflicting:
            raise ValueError(
                f"obs_type='ram' observes the console's {ATARI_RAM_BYTES}-byte RAM; {', '.join(conflicting)} "
                "shape screen observations only: leave them out"
            )
        options = {**options, "stack_num": 1}
    return options


def _frozen(d: dict[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(d)


@dataclass(frozen=True)
class Family:
    build: Callable[[EnvEntry, dict[str, Any], dict[str, Any]], Built]
    # Bytes a pool of (options, num_envs, batch_size) needs, options checked first (make() refuses
    # a pool that does not fit before allocating anything)
    memory: Callable[[Mapping[str, Any], int, int], int]
    # Checks the options (TypeError/ValueError naming the option and its range) before anything
    # else reads them, memory included.
    check_options: Callable[[Mapping[str, Any]], object] = lambda options: None
    # The option holding how many frames an observation stacks (a replay buffer stores each once).
    stack_option: str | None = None
    # What a greedy evaluation overrides: whole games, true scores.
    eval_options: Mapping[str, Any] = field(default_factory=lambda: _frozen({}))
    # What SB3's usual wrapper chain for the family applies (make_atari_env's AtariWrapper).
    sb3_defaults: Mapping[str, Any] = field(default_factory=lambda: _frozen({}))
    # True: an episode's score is the game's (info "score" at "game_over"), not the sum of rewards,
    # since with episodic life an env episode is one life and rewards may be clipped.
    game_scores: bool = False
    # The render modes its envs offer (known before a pool is built: gymnasium.make reads them).
    render_modes: tuple[str, ...] = ()
    # Checks options that go together and completes them: (defaults and given options, the names
    # given) -> the options the env runs with. None: options stand as given.
    combine: Callable[[dict[str, Any], Collection[str]], dict[str, Any]] | None = None

    def options(self, options: dict[str, Any], given: Collection[str]) -> dict[str, Any]:
        """The options an env runs with, from its defaults merged with `given`'s (see `combine`)."""
        return self.combine(options, given) if self.combine else options

    def frame_stack(self, options: Mapping[str, Any]) -> int:
        """Frames per observation under these options (1: observations are not stacks)."""
        return int(options[self.stack_option]) if self.stack_option else 1


_WHOLE_GAMES = _frozen({"episodic_life": False, "reward_clip": False})

FAMILIES: dict[str, Family] = {
    "classic_control": Family(
        build_classic_control, memory=classic_control_memory, check_options=check_classic_control
    ),
    "atari": Family(
        build_atari,
        memory=atari_memory,
        check_options=lambda options: check_atari_options(options),
        stack_option="stack_num",
        eval_options=_WHOLE_GAMES,
        sb3_defaults=_frozen({"episodic_life": True, "reward_clip": True}),  # terminal_on_life_loss, clip_reward
        game_scores=True,
        render_modes=("rgb_array",),
        combine=atari_options,
    ),
    "faulty": Family(build_faulty, memory=faulty_memory),
}


def family_of(env_id: str) -> Family:
    """The family of a registered id (ValueError for an unknown one)."""
    return FAMILIES[resolve(env_id).family]


def env_options(env_id: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The options an env of this id runs with: its defaults, then the overrides."""
    entry = resolve(env_id)
    overrides = overrides or {}
    return FAMILIES[entry.family].options({**entry.defaults, **overrides}, overrides)


def check_atari_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The Atari options, checked (each bound, each bool, the sticky-action probability) and
    converted to the engine's types."""
    checked: dict[str, Any] = {
        name: int_in(name, options[name], low, high) for name, (low, high) in ATARI_BOUNDS.items()
    }
    for name in (
        "maxpool",
        "gray_scale",
        "episodic_life",
        "use_fire_reset",
        "reward_clip",
        "full_action_space",
        "ram_info",
    ):
        if not isinstance(options[name], (bool, np.bool_)):
            raise TypeError(f"{name} must be a bool, got {options[name]!r}")
        checked[name] = bool(options[name])
    for name in ("mode", "difficulty"):  # the game's own list is checked when the pool is built
        value = options[name]
        if value is not None:
            if not isinstance(value, (int, np.integer)) or isinstance(value, (bool, np.bool_)):
                raise TypeError(f"{name} must be an int or None (the game's default), got {type(value).__name__}")
            if not -(2**31) <= value <= MAX_INT32:
                raise ValueError(f"{name} {value} is not available in any game (far out of range)")
            value = int(value)
        checked[name] = value
    checked["ram_obs"] = options["obs_type"] == "ram"  # obs_type is checked with the options it excludes
    p = options["repeat_action_probability"]
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating, np.integer)) or not 0.0 <= p <= 1.0:
        raise ValueError(f"repeat_action_probability must be a number in [0, 1], got {p!r}")
    checked["repeat_action_probability"] = float(p)
    return checked


def atari_config(game: str | None, options: dict[str, Any]) -> _core.AtariConfig:
    from ale_py import roms

    if game is None:  # pragma: no cover - every Atari entry names its game
        raise AssertionError("an Atari entry without a game")
    config = _core.AtariConfig()
    config.rom_path = str(roms.get_rom_path(game))
    for name, value in check_atari_options(options).items():
        setattr(config, name, value)
    return config
