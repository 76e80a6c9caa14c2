"""What every trainer's config shares: the fields' checks, presets per env and per family, and
`for_env` / `replace` / `validate`. A trainer's config is a dataclass deriving from TrainerConfig
that lists its fields and its RANGES."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

C = TypeVar("C", bound="TrainerConfig")

BIG = 2**62
NUMBER = (int, float)
# field: (type, low, high); low None: any value of the type. The fields every trainer has.
COMMON_RANGES: dict[str, tuple[Any, Any, Any]] = {
    "env_id": (str, None, None),
    "seed": (int, 0, 2**32 - 1),
    "num_envs": (int, 1, 1 << 20),
    "env_threads": (int, 1, 1024),
    "num_workers": (int, 1, 1 << 20),
    "total_timesteps": (int, 1, BIG),
    "learning_rate": (NUMBER, 1e-12, 10.0),
    "gamma": (NUMBER, 0.0, 1.0),
    "start_e": (NUMBER, 0.0, 1.0),
    "end_e": (NUMBER, 0.0, 1.0),
    "exploration_fraction": (NUMBER, 1e-9, 1.0),
    "max_grad_norm": (NUMBER, 1e-12, float("inf")),
    "eval_freq": (int, 0, BIG),
    "eval_episodes": (int, 1, 1 << 20),
    "eval_max_episode_steps": (int, 1, 2**31 - 1),
    "stop_at_return": (NUMBER, -float("inf"), float("inf")),
    "checkpoint_freq": (int, 0, BIG),
    "overlap": (bool, None, None),
    "device": (str, None, None),
    "precision": (str, None, None),
    "torch_threads": (int, 1, 1024),
    "run_dir": (str, None, None),
}
OPTIONAL = frozenset({"env_threads", "eval_max_episode_steps", "stop_at_return", "torch_threads"})
PRECISIONS = ("auto", "fp32", "bf16")


class TrainerConfig:
    """Base of DQNConfig and PQNConfig (dataclasses): presets, checked construction and copies."""

    ALGO: ClassVar[str]
    RANGES: ClassVar[dict[str, tuple[Any, Any, Any]]]
    PRESETS: ClassVar[Mapping[str, Mapping[str, Any]]]  # by env id
    FAMILY_PRESETS: ClassVar[Mapping[str, Mapping[str, Any]]]  # by family, for ids without their own
    # On a CPU, changes to a family's preset that size it for an hour of two cores, then per env id.
    CPU_FAMILY_PRESETS: ClassVar[Mapping[str, Mapping[str, Any]]] = {}
    CPU_PRESETS: ClassVar[Mapping[str, Mapping[str, Any]]] = {}

    @classmethod
    def for_env(cls: type[C], env_id: str, **overrides: Any) -> C:
        """The preset for an env, then overrides. A family's preset is sized for the device the
        run will use: on a CPU, CPU_FAMILY_PRESETS and CPU_PRESETS change it (a shorter schedule)."""
        from fastpool.registry import resolve

        entry = resolve(env_id)
        preset = cls.PRESETS.get(entry.env_id) or cls.FAMILY_PRESETS.get(entry.family, {})
        sized = entry.family in cls.CPU_FAMILY_PRESETS or entry.env_id in cls.CPU_PRESETS
        if preset and sized and _runs_on_cpu(overrides.get("device", "auto")):
            preset = {**preset, **cls.CPU_FAMILY_PRESETS.get(entry.family, {}), **cls.CPU_PRESETS.get(entry.env_id, {})}
        cls._check_names(overrides)
        cfg = cls(**{"env_id": env_id, **preset, **overrides})
        cfg.validate()
        return cfg

    def replace(self: C, **changes: Any) -> C:
        """A copy with some fields changed, checked."""
        self._check_names(changes)
        cfg = dataclasses.replace(self, **changes)  # type: ignore[type-var]
        cfg.validate()
        return cfg

    def validate(self) -> None:
        """Every field's type and range; a ValueError/TypeError names the field and what it takes."""
        check_fields(self, self.RANGES, OPTIONAL)

    @classmethod
    def _check_names(cls, changes: Mapping[str, Any]) -> None:
        unknown = set(changes) - {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        if unknown:
            raise TypeError(f"unknown {cls.ALGO.upper()} option(s): {sorted(unknown)}")


def _runs_on_cpu(device: Any) -> bool:
    if not isinstance(device, str):
        return False  # refused by validate()
    if device == "auto":
        import torch

        return not torch.cuda.is_available()
    return device.startswith("cpu")


def check_fields(cfg: Any, ranges: Mapping[str, tuple[Any, Any, Any]], optional: frozenset[str]) -> None:
    """Each field in `ranges` has its type and lies in [low, high]; else a TypeError/ValueError
    naming the field and what it takes. Then the checks that span fields."""
    for name, (kind, low, high) in ranges.items():
        value = getattr(cfg, name)
        if value is None and name in optional:
            continue
        ok_type = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
        if not ok_type:
            what = "an int" if kind is int else "a number" if kind in (NUMBER, float) else f"a {kind.__name__}"
            none = " or None" if name in optional else ""
            raise TypeError(f"{name} must be {what}{none}, got {value!r}")
        if low is not None and not low <= value <= high:
            raise ValueError(f"{name} must be in [{low}, {high}], got {value!r}")
    if cfg.end_e > cfg.start_e:
        raise ValueError(f"end_e ({cfg.end_e}) must not exceed start_e ({cfg.start_e})")
    if cfg.backend not in ("local", "ray"):
        raise ValueError(f"backend must be 'local' or 'ray', got {cfg.backend!r}")
    if cfg.precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {cfg.precision!r}")
    if not isinstance(cfg.hidden_sizes, (tuple, list)) or not all(
        isinstance(h, int) and not isinstance(h, bool) and h >= 1 for h in cfg.hidden_sizes
    ):
        raise ValueError(f"hidden_sizes must be a tuple of ints >= 1, got {cfg.hidden_sizes!r}")
    if not isinstance(cfg.env_options, dict):
        raise TypeError(f"env_options must be a dict, got {cfg.env_options!r}")
    if cfg.num_workers > cfg.num_envs:
        raise ValueError(f"num_workers ({cfg.num_workers}) must not exceed num_envs ({cfg.num_envs})")
