"""fastpool's own DQN: `train(DQNConfig.for_env("CartPole-v1"))`, or `fastpool train dqn`."""

from fastpool.dqn.config import DQNConfig
from fastpool.dqn.replay import ReplayBuffer
from fastpool.dqn.train import TrainResult, train

__all__ = ["DQNConfig", "ReplayBuffer", "TrainResult", "train"]
