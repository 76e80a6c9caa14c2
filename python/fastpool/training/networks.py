"""Q-networks: Nature DQN's CNN for stacked frames, an MLP for vector observations; either with
LayerNorm before each ReLU (PQN's network: it keeps Q-learning stable without a target network)."""

from __future__ import annotations

import torch
from gymnasium import spaces
from gymnasium.vector import VectorEnv
from torch import nn


class FrameConv(nn.Conv2d):
    """A convolution over uint8 frames as if they were scaled to [0, 1]: its weights are divided
    by 255 instead of every pixel (8k multiplies, not 3.6M for a batch of 128 stacks), and the
    frames are converted once, straight to the dtype the convolution computes in (bfloat16 under
    autocast: integers to 255 are exact in it)."""

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        kind = frames.device.type
        dtype = torch.get_autocast_dtype(kind) if torch.is_autocast_enabled(kind) else self.weight.dtype
        return self._conv_forward(frames.to(dtype), self.weight / 255.0, self.bias)


class NatureCNN(nn.Module):
    """Mnih et al. (2015): three convolutions and a 512-unit layer over uint8 frame stacks."""

    def __init__(self, in_channels: int, num_actions: int, height: int = 84, width: int = 84, layer_norm: bool = False):
        super().__init__()
        layers: list[nn.Module] = []
        for out, kernel, stride in ((32, 8, 4), (64, 4, 2), (64, 3, 1)):
            conv = FrameConv if not layers else nn.Conv2d
            layers.append(conv(in_channels, out, kernel, stride=stride))
            height, width = (height - kernel) // stride + 1, (width - kernel) // stride + 1
            if layer_norm:  # over each sample's whole feature map
                layers.append(nn.LayerNorm([out, height, width]))
            layers.append(nn.ReLU())
            in_channels = out
        self.features = nn.Sequential(*layers, nn.Flatten())
        flat = in_channels * height * width
        norm: list[nn.Module] = [nn.LayerNorm(512)] if layer_norm else []
        self.head = nn.Sequential(nn.Linear(flat, 512), *norm, nn.ReLU(), nn.Linear(512, num_actions))

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(obs))


class MLP(nn.Module):
    def __init__(
        self, obs_dim: int, num_actions: int, hidden_sizes: tuple[int, ...] = (256, 256), layer_norm: bool = False
    ):
        super().__init__()
        layers: list[nn.Module] = []
        for size in hidden_sizes:
            layers += [nn.Linear(obs_dim, size), *([nn.LayerNorm(size)] if layer_norm else []), nn.ReLU()]
            obs_dim = size
        self.net = nn.Sequential(*layers, nn.Linear(obs_dim, num_actions))

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.net(obs.float())


class UnsupportedEnv(ValueError):
    """An env a Q-network cannot act in (float actions, say)."""


def env_dims(envs: VectorEnv) -> tuple[tuple[int, ...], int]:
    """The observation shape and the number of actions of a Q-network for `envs`."""
    action_space, obs_shape = envs.single_action_space, envs.single_observation_space.shape
    if not isinstance(action_space, spaces.Discrete) or obs_shape is None:
        raise UnsupportedEnv(
            f"DQN and PQN choose among discrete actions; this env's action space is {action_space} "
            "(for float actions use SB3's SAC, TD3 or PPO through fastpool.make_sb3)"
        )
    return obs_shape, int(action_space.n)


def q_network(
    obs_shape: tuple[int, ...], num_actions: int, hidden_sizes: tuple[int, ...], layer_norm: bool = False
) -> nn.Module:
    """A CNN for image stacks (C, H, W), an MLP for flat vectors."""
    if len(obs_shape) == 3:
        return NatureCNN(obs_shape[0], num_actions, obs_shape[1], obs_shape[2], layer_norm)
    if len(obs_shape) == 1:
        return MLP(obs_shape[0], num_actions, hidden_sizes, layer_norm)
    raise ValueError(f"no Q-network for observations of shape {obs_shape}")
