"""fastpool's PQN: `train(PQNConfig.for_env("CartPole-v1"))`, or `fastpool train pqn`."""

from fastpool.pqn.config import PQNConfig
from fastpool.pqn.train import train

__all__ = ["PQNConfig", "train"]
