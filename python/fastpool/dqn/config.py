"""Every DQN hyperparameter in one place, with presets for classic control and for Atari."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass
class DQNConfig:
    env_id: str = "CartPole-v1"
    seed: int = 1
    num_envs: int = 4  # envs stepped together; transitions per iteration
    env_threads: int | None = None  # the pool's C++ threads (default: half the CPUs; Ray: 1 per worker)
    backend: str = "local"  # "ray": the envs run in num_workers Ray actors (fastpool.make's backend)
    num_workers: int = 1  # Ray actors, num_envs / num_workers envs each
    env_options: dict[str, Any] = field(default_factory=dict)  # fastpool.make options
    total_timesteps: int = 50_000  # env steps, all envs counted
    learning_rate: float = 2.3e-3
    buffer_size: int = 100_000  # transitions kept (Atari: frames, each stored once)
    gamma: float = 0.99
    tau: float = 1.0  # target update: 1.0 copies (hard), < 1.0 is Polyak averaging
    target_network_frequency: int = 10  # env steps between target updates
    batch_size: int = 64
    start_e: float = 1.0
    end_e: float = 0.04
    exploration_fraction: float = 0.16  # of total_timesteps, to anneal epsilon linearly
    learning_starts: int = 1_000
    train_freq: int = 256  # env steps between training phases
    gradient_steps: int = 128  # gradient steps per training phase
    double_dqn: bool = True
    max_grad_norm: float = 10.0
    hidden_sizes: tuple[int, ...] = (256, 256)  # MLP for vector observations
    eval_freq: int = 5_000  # env steps between evaluations (0: never)
    eval_episodes: int = 10
    eval_max_episode_steps: int | None = None  # cap eval episodes (None: the env's own limit)
    stop_at_return: float | None = 475.0  # stop once an evaluation's mean reaches this
    checkpoint_freq: int = 25_000  # env steps between resumable checkpoints (0: never)
    save_replay: bool = False  # put the replay buffer in checkpoints (exact resume; large)
    overlap: bool = True  # step the envs (C++ threads) while the learner trains
    device: str = "auto"  # "auto": CUDA if available, else CPU
    torch_threads: int | None = None  # default: all CPUs
    run_dir: str = "runs"

    @classmethod
    def for_env(cls, env_id: str, **overrides: Any) -> DQNConfig:
        """The preset for an env (CartPole, Acrobot, MountainCar: rl-zoo's; Atari: CleanRL's
        dqn_atari), then overrides."""
        from fastpool.registry import resolve

        entry = resolve(env_id)
        preset = ATARI if entry.family == "atari" else PRESETS.get(entry.env_id, {})
        unknown = set(overrides) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise TypeError(f"unknown DQN option(s): {sorted(unknown)}")
        cfg = cls(**{"env_id": env_id, **preset, **overrides})
        cfg.validate()
        return cfg

    def replace(self, **changes: Any) -> DQNConfig:
        """A copy with some fields changed, checked."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise TypeError(f"unknown DQN option(s): {sorted(unknown)}")
        cfg = dataclasses.replace(self, **changes)
        cfg.validate()
        return cfg

    def validate(self) -> None:
        """Every field's type and range; a ValueError/TypeError names the field and what it takes."""
        check_fields(self, _RANGES, _OPTIONAL)


def check_fields(cfg: Any, ranges: dict[str, tuple[Any, Any, Any]], optional: set[str]) -> None:
    """Each field in `ranges` has its type and lies in [low, high]; else a TypeError/ValueError
    naming the field and what it takes. Shared by the trainers' configs."""
    for name, (kind, low, high) in ranges.items():
        value = getattr(cfg, name)
        if value is None and name in optional:
            continue
        ok_type = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
        if not ok_type:
            what = "an int" if kind is int else "a number" if kind in ((int, float), float) else f"a {kind.__name__}"
            none = " or None" if name in optional else ""
            raise TypeError(f"{name} must be {what}{none}, got {value!r}")
        if low is not None and not low <= value <= high:
            raise ValueError(f"{name} must be in [{low}, {high}], got {value!r}")
    if cfg.end_e > cfg.start_e:
        raise ValueError(f"end_e ({cfg.end_e}) must not exceed start_e ({cfg.start_e})")
    if cfg.backend not in ("local", "ray"):
        raise ValueError(f"backend must be 'local' or 'ray', got {cfg.backend!r}")
    if not isinstance(cfg.hidden_sizes, (tuple, list)) or not all(
        isinstance(h, int) and not isinstance(h, bool) and h >= 1 for h in cfg.hidden_sizes
    ):
        raise ValueError(f"hidden_sizes must be a tuple of ints >= 1, got {cfg.hidden_sizes!r}")
    if not isinstance(cfg.env_options, dict):
        raise TypeError(f"env_options must be a dict, got {cfg.env_options!r}")
    if cfg.num_workers > cfg.num_envs:
        raise ValueError(f"num_workers ({cfg.num_workers}) must not exceed num_envs ({cfg.num_envs})")


_BIG = 2**62
_NUMBER = (int, float)
# field: (type, low, high); low None: any value of the type
_RANGES: dict[str, tuple[Any, Any, Any]] = {
    "env_id": (str, None, None),
    "seed": (int, 0, 2**32 - 1),
    "num_envs": (int, 1, 1 << 20),
    "env_threads": (int, 1, 1024),
    "num_workers": (int, 1, 1 << 20),
    "total_timesteps": (int, 1, _BIG),
    "learning_rate": (_NUMBER, 1e-12, 10.0),
    "buffer_size": (int, 1, _BIG),
    "gamma": (_NUMBER, 0.0, 1.0),
    "tau": (_NUMBER, 1e-9, 1.0),
    "target_network_frequency": (int, 1, _BIG),
    "batch_size": (int, 1, 1 << 20),
    "start_e": (_NUMBER, 0.0, 1.0),
    "end_e": (_NUMBER, 0.0, 1.0),
    "exploration_fraction": (_NUMBER, 1e-9, 1.0),
    "learning_starts": (int, 0, _BIG),
    "train_freq": (int, 1, _BIG),
    "gradient_steps": (int, 1, 1 << 20),
    "double_dqn": (bool, None, None),
    "max_grad_norm": (_NUMBER, 1e-12, float("inf")),
    "eval_freq": (int, 0, _BIG),
    "eval_episodes": (int, 1, 1 << 20),
    "eval_max_episode_steps": (int, 1, 2**31 - 1),
    "stop_at_return": (_NUMBER, -float("inf"), float("inf")),
    "checkpoint_freq": (int, 0, _BIG),
    "save_replay": (bool, None, None),
    "overlap": (bool, None, None),
    "device": (str, None, None),
    "torch_threads": (int, 1, 1024),
    "run_dir": (str, None, None),
}
_OPTIONAL = {"env_threads", "eval_max_episode_steps", "stop_at_return", "torch_threads"}

# CleanRL's dqn_atari.py hyperparameters (Nature DQN, Mnih et al. 2015), for 8 envs.
ATARI: dict[str, Any] = {
    "num_envs": 8,
    "env_options": {"episodic_life": True, "reward_clip": True},
    "total_timesteps": 10_000_000,
    "learning_rate": 1e-4,
    "buffer_size": 1_000_000,
    "target_network_frequency": 1000,
    "batch_size": 32,
    "start_e": 1.0,
    "end_e": 0.01,
    "exploration_fraction": 0.10,
    "learning_starts": 80_000,
    "train_freq": 4,
    "gradient_steps": 1,
    "eval_freq": 250_000,
    "eval_episodes": 8,
    "eval_max_episode_steps": 27_000,
    "stop_at_return": None,
    "checkpoint_freq": 500_000,
}

# rl-baselines3-zoo's DQN hyperparameters (its train_freq 4 with gradient_steps -1 is one
# gradient step per env step); each stops at gymnasium's reward threshold for the env.
ACROBOT: dict[str, Any] = {
    "total_timesteps": 100_000,
    "learning_rate": 6.3e-4,
    "batch_size": 128,
    "buffer_size": 50_000,
    "learning_starts": 1_000,
    "target_network_frequency": 250,
    "train_freq": 4,
    "gradient_steps": 4,
    "exploration_fraction": 0.12,
    "end_e": 0.1,
    "stop_at_return": -100.0,
}
# MountainCar: rl-zoo's single env. Its reward is -1 until the goal, so learning waits for an
# episode that reaches it; with 4 envs none did in 120k steps (seed 1), with 1 env seeds 1-3 did.
MOUNTAIN_CAR: dict[str, Any] = {
    "num_envs": 1,
    "total_timesteps": 120_000,
    "learning_rate": 4e-3,
    "batch_size": 128,
    "buffer_size": 10_000,
    "learning_starts": 1_000,
    "gamma": 0.98,
    "target_network_frequency": 600,
    "train_freq": 16,
    "gradient_steps": 8,
    "exploration_fraction": 0.2,
    "end_e": 0.07,
    "stop_at_return": -110.0,
}
PRESETS: dict[str, dict[str, Any]] = {"Acrobot-v1": ACROBOT, "MountainCar-v0": MOUNTAIN_CAR}
