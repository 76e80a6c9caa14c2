"""Every DQN hyperparameter in one place, with presets for CartPole and for Atari."""

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
        """The preset for an env (CartPole: rl-zoo's; Atari: CleanRL's dqn_atari), then overrides."""
        from fastpool.registry import resolve

        preset = ATARI if resolve(env_id).family == "atari" else {}
        unknown = set(overrides) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise TypeError(f"unknown DQN option(s): {sorted(unknown)}")
        return cls(**{"env_id": env_id, **preset, **overrides})


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
