"""Env ids fastpool knows, what engine builds each, and the defaults its name implies."""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class EnvEntry:
    env_id: str
    family: str  # which engine constructor builds it
    defaults: dict[str, Any] = field(default_factory=dict)
    hidden: bool = False  # internal (tests); not listed
    game: str | None = None  # Atari: ale-py's ROM id, e.g. "breakout"
    # The info keys the reference env (gymnasium's, ale-py's) reports: make(..., info_keys="gymnasium")
    gymnasium_info: tuple[str, ...] = ()
    core_name: str = ""  # classic control: the engine's name for it
    obs_bounds: tuple[tuple[float, ...], tuple[float, ...]] | None = None  # float32 Box (low, high)


_ENTRIES: dict[str, EnvEntry] = {}


def register(entry: EnvEntry, *aliases: str) -> None:
    for name in (entry.env_id, *aliases):
        _ENTRIES[name] = entry


_PI = math.pi


def _symmetric(*high: float) -> tuple[tuple[float, ...], tuple[float, ...]]:
    return tuple(-h for h in high), high


# gymnasium's classic control: the same dynamics, spaces and time limits (fastpool/envs/classic_control).
register(
    EnvEntry(
        "CartPole-v1",
        "classic_control",
        {"max_episode_steps": 500},
        core_name="CartPole",
        obs_bounds=_symmetric(2.4 * 2, math.inf, 12 * 2 * _PI / 360 * 2, math.inf),
    ),
    "CartPole",
)
register(
    EnvEntry(
        "Acrobot-v1",
        "classic_control",
        {"max_episode_steps": 500},
        core_name="Acrobot",
        obs_bounds=_symmetric(1.0, 1.0, 1.0, 1.0, 4 * _PI, 9 * _PI),
    ),
    "Acrobot",
)
register(
    EnvEntry(
        "MountainCar-v0",
        "classic_control",
        {"max_episode_steps": 200},
        core_name="MountainCar",
        obs_bounds=((-1.2, -0.07), (0.6, 0.07)),
    ),
    "MountainCar",
)
register(
    EnvEntry(
        "MountainCarContinuous-v0",
        "classic_control",
        {"max_episode_steps": 999},
        core_name="MountainCarContinuous",
        obs_bounds=((-1.2, -0.07), (0.6, 0.07)),
    ),
    "MountainCarContinuous",
)
register(
    EnvEntry(
        "Pendulum-v1",
        "classic_control",
        {"max_episode_steps": 200},
        core_name="Pendulum",
        obs_bounds=_symmetric(1.0, 1.0, 8.0),
    ),
    "Pendulum",
)
register(EnvEntry("_Faulty-v0", "faulty", hidden=True))

# Atari: DQN preprocessing on by default (see the README's table of defaults).
ATARI_DEFAULTS: dict[str, Any] = {
    "frame_skip": 4,
    "maxpool": True,
    "gray_scale": True,
    "img_height": 84,
    "img_width": 84,
    "stack_num": 4,
    "noop_max": 30,
    "repeat_action_probability": 0.25,
    "episodic_life": False,
    "use_fire_reset": True,
    "reward_clip": False,
    "full_action_space": False,
    "max_episode_steps": 27000,
    "mode": None,  # ALE's game mode and difficulty; None: the game's defaults
    "difficulty": None,
    "obs_type": "image",  # or "ram": the console's 128-byte RAM
    "ram_info": False,  # True: that RAM in info["ram"] too, as EnvPool reports it
}


_ALE_INFO = ("lives", "episode_frame_number", "frame_number")  # ale-py's AtariEnv info

# Each integer option's range, checked before anything is built: a reset or step stays short
# (Ctrl-C answers within ~50 ms) and the frame fits ALE's 210 x 160 screen.
ATARI_BOUNDS: dict[str, tuple[int, int]] = {
    "frame_skip": (1, 100),
    "img_height": (1, 210),
    "img_width": (1, 160),
    "stack_num": (1, 64),
    "noop_max": (0, 1000),
    "max_episode_steps": (1, 2**31 - 1),
}
ATARI_ENV_BYTES = 900 * 1024  # one emulator with its screens, measured (64 envs: +58 MiB)

# ROMs without a single-player mode: ALE cannot load them as games (nor can ale-py's envs).
_MULTIPLAYER_ONLY = {"combat", "joust", "maze_craze", "warlords"}


def _register_atari() -> None:
    """Every ROM ale-py ships, under the names gymnasium users know:
    `Breakout`, `Breakout-v5` and `ALE/Breakout-v5` (sticky actions 0.25), and
    `BreakoutNoFrameskip-v4` (no sticky actions; fastpool still applies frame_skip=4)."""
    from ale_py import roms

    for rom in roms.get_all_rom_ids():
        if rom in _MULTIPLAYER_ONLY:
            continue
        name = rom.title().replace("_", "")
        register(
            EnvEntry(f"{name}-v5", "atari", dict(ATARI_DEFAULTS), game=rom, gymnasium_info=_ALE_INFO),
            name,
            f"ALE/{name}-v5",
        )
        v4 = {**ATARI_DEFAULTS, "repeat_action_probability": 0.0}
        register(EnvEntry(f"{name}NoFrameskip-v4", "atari", v4, game=rom, gymnasium_info=_ALE_INFO))


_register_atari()


def _multiplayer_rom(env_id: str) -> str | None:
    """The multiplayer-only ROM an id names (Combat, ALE/Joust-v5, MazeCrazeNoFrameskip-v4, ...)."""
    name = env_id.removeprefix("ALE/").removesuffix("-v5").removesuffix("NoFrameskip-v4")
    for rom in _MULTIPLAYER_ONLY:
        if name.lower() == rom.replace("_", ""):
            return rom
    return None


def list_envs() -> list[str]:
    """All public env ids (aliases included) accepted by `fastpool.make`."""
    return sorted(name for name, e in _ENTRIES.items() if not e.hidden)


def resolve(env_id: str) -> EnvEntry:
    """The entry for an id; an unknown id raises ValueError naming close matches."""
    if not isinstance(env_id, str):
        raise TypeError(f"env id must be a string, got {type(env_id).__name__}")
    entry = _ENTRIES.get(env_id)
    if entry is not None:
        return entry
    rom = _multiplayer_rom(env_id)
    if rom:
        raise ValueError(
            f"{env_id!r} is {rom!r}, a ROM ale-py ships that has no single-player mode: "
            "ALE cannot load it as a game, so fastpool (like ale-py's envs) cannot make it"
        )
    close = difflib.get_close_matches(env_id, list_envs(), n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise ValueError(f"unknown env id {env_id!r}.{hint} fastpool.list_envs() lists them all.")
