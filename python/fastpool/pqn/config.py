"""Every PQN hyperparameter in one place, with presets for classic control and for Atari."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from fastpool.training.config import COMMON_RANGES, NUMBER, TrainerConfig

# CleanRL's pqn_atari_envpool.py hyperparameters (Gallici et al. 2024), 128 envs.
ATARI: dict[str, Any] = {
    "num_envs": 128,
    "num_steps": 32,
    "env_options": {"episodic_life": True, "reward_clip": True},
    "total_timesteps": 10_000_000,
    "learning_rate": 2.5e-4,
    "update_epochs": 2,
    "num_minibatches": 32,
    "q_lambda": 0.65,
    "end_e": 0.001,
    "exploration_fraction": 0.10,
    "eval_freq": 250_000,
    "eval_episodes": 8,
    "eval_max_episode_steps": 27_000,
    "stop_at_return": None,
    "checkpoint_freq": 1_000_000,
    "overlap": True,
}
# On a CPU (two cores): the same algorithm sized for an hour, ~3M env steps, so exploration ends
# at 300k steps and the learning rate anneals over 3M; 64 envs update the network twice as often
# per env step as 128 (same minibatch of 128, same epochs per transition).
ATARI_CPU: dict[str, Any] = {
    "num_envs": 64,
    "num_minibatches": 16,
    "total_timesteps": 3_000_000,
    "checkpoint_freq": 500_000,
}
# Pong on a CPU keeps its learning rate: a 30-minute run ends 2-3M steps in, where the annealed
# rate is down to a third or less (seed 1: greedy 5.0 at 1.75M steps annealed, 18.25 at 2.0M not).
ATARI_CPU_BY_GAME: dict[str, dict[str, Any]] = {"Pong-v5": {"anneal_lr": False}}
# Classic control stops at gymnasium's reward threshold for the env. MountainCar's reward is -1
# until the goal: longer rollouts and lambda 0.95 carry a rare success further back (seeds 1 and
# 2 solved it in 0.5M steps; seed 3 needed 0.65M of a 2M-step schedule).
CLASSIC_CONTROL: dict[str, dict[str, Any]] = {
    "Acrobot-v1": {"stop_at_return": -100.0},
    "MountainCar-v0": {
        "stop_at_return": -110.0,
        "total_timesteps": 1_000_000,
        "num_steps": 128,
        "num_minibatches": 16,
        "q_lambda": 0.95,
    },
}


@dataclass
class PQNConfig(TrainerConfig):
    env_id: str = "CartPole-v1"
    seed: int = 1
    num_envs: int = 32  # envs stepped together
    num_steps: int = 64  # steps per env in one rollout; a rollout is num_envs x num_steps transitions
    env_threads: int | None = None  # the pool's C++ threads (default: half the CPUs; Ray: 1 per worker)
    backend: str = "local"  # "ray": the envs run in num_workers Ray actors
    num_workers: int = 1
    env_options: dict[str, Any] = field(default_factory=dict)  # fastpool.make options
    total_timesteps: int = 500_000  # env steps, all envs counted
    learning_rate: float = 1e-3
    anneal_lr: bool = True  # linearly to 0 over total_timesteps
    update_epochs: int = 4  # passes over each rollout
    num_minibatches: int = 8  # per pass
    gamma: float = 0.99
    q_lambda: float = 0.65  # lambda of the Q(lambda) returns; 0 is one-step Q-learning
    start_e: float = 1.0
    end_e: float = 0.05
    exploration_fraction: float = 0.2  # of total_timesteps, to anneal epsilon linearly
    max_grad_norm: float = 10.0
    hidden_sizes: tuple[int, ...] = (128, 128)  # MLP for vector observations (LayerNorm after each)
    eval_freq: int = 10_000  # env steps between evaluations (0: never)
    eval_episodes: int = 10
    eval_max_episode_steps: int | None = None  # cap eval episodes (None: the env's own limit)
    stop_at_return: float | None = 475.0  # stop once an evaluation's mean reaches this
    checkpoint_freq: int = 100_000  # env steps between resumable checkpoints (0: never)
    overlap: bool = False  # collect the next rollout (one update behind) while learning on this one
    device: str = "auto"  # "auto": CUDA if available, else CPU
    precision: str = "auto"  # "auto": bfloat16 autocast where the device computes it natively, else "fp32"
    torch_threads: int | None = None  # default: the CPUs the pool leaves with overlap, else all
    run_dir: str = "runs"

    @property
    def batch_size(self) -> int:
        return self.num_envs * self.num_steps

    ALGO: ClassVar[str] = "pqn"
    RANGES: ClassVar[dict[str, tuple[Any, Any, Any]]] = {
        **COMMON_RANGES,
        "num_steps": (int, 1, 1 << 20),
        "anneal_lr": (bool, None, None),
        "update_epochs": (int, 1, 1 << 20),
        "num_minibatches": (int, 1, 1 << 20),
        "q_lambda": (NUMBER, 0.0, 1.0),
    }
    # Presets: classic control; Atari (CleanRL's pqn_atari).
    PRESETS: ClassVar[dict[str, dict[str, Any]]] = CLASSIC_CONTROL
    FAMILY_PRESETS: ClassVar[dict[str, dict[str, Any]]] = {"atari": ATARI}
    CPU_FAMILY_PRESETS: ClassVar[dict[str, dict[str, Any]]] = {"atari": ATARI_CPU}
    CPU_PRESETS: ClassVar[dict[str, dict[str, Any]]] = ATARI_CPU_BY_GAME

    def validate(self) -> None:
        """Every field's type and range; a ValueError/TypeError names the field and what it takes."""
        super().validate()
        if self.batch_size % self.num_minibatches:
            raise ValueError(
                f"num_minibatches ({self.num_minibatches}) must divide a rollout's "
                f"num_envs x num_steps = {self.batch_size} transitions"
            )
