"""Every DQN hyperparameter in one place, with presets for classic control and for Atari."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from fastpool.training.config import BIG, COMMON_RANGES, NUMBER, TrainerConfig

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

# On a CPU (two cores): sized for an hour, ~3M env steps; exploration ends at 300k steps and the
# replay holds 400k frames (2.8 GB).
ATARI_CPU: dict[str, Any] = {
    "total_timesteps": 3_000_000,
    "buffer_size": 400_000,
    "learning_starts": 20_000,
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


@dataclass
class DQNConfig(TrainerConfig):
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
    precision: str = "auto"  # "auto": bfloat16 autocast where the device computes it natively, else "fp32"
    torch_threads: int | None = None  # default: all CPUs
    run_dir: str = "runs"

    ALGO: ClassVar[str] = "dqn"
    RANGES: ClassVar[dict[str, tuple[Any, Any, Any]]] = {
        **COMMON_RANGES,
        "buffer_size": (int, 1, BIG),
        "tau": (NUMBER, 1e-9, 1.0),
        "target_network_frequency": (int, 1, BIG),
        "batch_size": (int, 1, 1 << 20),
        "learning_starts": (int, 0, BIG),
        "train_freq": (int, 1, BIG),
        "gradient_steps": (int, 1, 1 << 20),
        "double_dqn": (bool, None, None),
        "save_replay": (bool, None, None),
    }
    # Presets: CartPole, Acrobot, MountainCar (rl-zoo's); Atari (CleanRL's dqn_atari).
    PRESETS: ClassVar[dict[str, dict[str, Any]]] = {"Acrobot-v1": ACROBOT, "MountainCar-v0": MOUNTAIN_CAR}
    FAMILY_PRESETS: ClassVar[dict[str, dict[str, Any]]] = {"atari": ATARI}
    CPU_FAMILY_PRESETS: ClassVar[dict[str, dict[str, Any]]] = {"atari": ATARI_CPU}
