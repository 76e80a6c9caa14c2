"""Q-networks: Nature DQN's CNN for stacked frames, an MLP for vector observations."""

from __future__ import annotations

import torch
from gymnasium import spaces
from gymnasium.vector import VectorEnv
from torch import nn


class NatureCNN(nn.Module):
    """Mnih et al. (2015): three convolutions and a 512-unit layer over uint8 frame stacks."""

    def __init__(self, in_channels: int, num_actions: int, height: int = 84, width: int = 84):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 32, 8, stride=4),
            nn.ReLU(),
            nn.Conv2d(32, 64, 4, stride=2),
            nn.ReLU(),
            nn.Conv2d(64, 64, 3, stride=1),
            nn.ReLU(),
            nn.Flatten(),
        )
        with torch.no_grad():
            flat = self.features(torch.zeros(1, in_channels, height, width)).shape[1]
        self.head = nn.Sequential(nn.Linear(flat, 512), nn.ReLU(), nn.Linear(512, num_actions))
        # channels-last convolutions run about 20% faster on CPUs (and on tensor cores)
        self.to(memory_format=torch.channels_last)  # type: ignore[call-overload]  # torch's overloads omit it

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        x = (obs.float() / 255.0).contiguous(memory_format=torch.channels_last)
        return self.head(self.features(x))


class MLP(nn.Module):
    def __init__(self, obs_dim: int, num_actions: int, hidden_sizes: tuple[int, ...] = (256, 256)):
        super().__init__()
        layers: list[nn.Module] = []
        for size in hidden_sizes:
            layers += [nn.Linear(obs_dim, size), nn.ReLU()]
            obs_dim = size
        self.net = nn.Sequential(*layers, nn.Linear(obs_dim, num_actions))

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.net(obs.float())


def env_dims(envs: VectorEnv) -> tuple[tuple[int, ...], int]:
    """The observation shape and the number of actions of a Q-network for `envs`."""
    action_space, obs_shape = envs.single_action_space, envs.single_observation_space.shape
    if not isinstance(action_space, spaces.Discrete) or obs_shape is None:
        raise ValueError(f"DQN needs discrete actions and array observations, not {action_space}")
    return obs_shape, int(action_space.n)


def q_network(obs_shape: tuple[int, ...], num_actions: int, hidden_sizes: tuple[int, ...]) -> nn.Module:
    """A CNN for image stacks (C, H, W), an MLP for flat vectors."""
    if len(obs_shape) == 3:
        return NatureCNN(obs_shape[0], num_actions, obs_shape[1], obs_shape[2])
    if len(obs_shape) == 1:
        return MLP(obs_shape[0], num_actions, hidden_sizes)
    raise ValueError(f"no Q-network for observations of shape {obs_shape}")
