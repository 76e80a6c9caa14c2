"""What every trainer shares (DQN: `fastpool.dqn`, PQN: `fastpool.pqn`): the session's set-up and
teardown, configs' checks and presets, Q-networks, the learner's precision, greedy evaluation,
and the run's records (directory, checkpoints, TensorBoard, summary, curve). A trainer imports
this package and no other trainer."""

from fastpool.training.config import TrainerConfig
from fastpool.training.evaluate import evaluate, make_eval_envs
from fastpool.training.networks import UnsupportedEnv, env_dims, q_network
from fastpool.training.precision import Precision, pick_device
from fastpool.training.runs import CheckpointError, TrainResult, load_state
from fastpool.training.session import Session

__all__ = [
    "CheckpointError",
    "Precision",
    "Session",
    "TrainResult",
    "TrainerConfig",
    "UnsupportedEnv",
    "env_dims",
    "evaluate",
    "load_state",
    "make_eval_envs",
    "pick_device",
    "q_network",
]
