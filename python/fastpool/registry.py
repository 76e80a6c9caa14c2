"""Env ids fastpool knows, what engine builds each, and the defaults its name implies."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class EnvEntry:
    env_id: str
    family: str  # which engine constructor builds it
    defaults: dict[str, Any] = field(default_factory=dict)
    hidden: bool = False  # internal (tests); not listed


_ENTRIES: dict[str, EnvEntry] = {}


def register(entry: EnvEntry, *aliases: str) -> None:
    for name in (entry.env_id, *aliases):
        _ENTRIES[name] = entry


register(EnvEntry("CartPole-v1", "cartpole", {"max_episode_steps": 500}), "CartPole")
register(EnvEntry("_Faulty-v0", "faulty", hidden=True))


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
    close = difflib.get_close_matches(env_id, list_envs(), n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise ValueError(f"unknown env id {env_id!r}.{hint} fastpool.list_envs() lists them all.")
