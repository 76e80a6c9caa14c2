"""A replay buffer that stores each frame once and rebuilds frame stacks when sampling.

Each env has its own ring of slots, so the streams of num_envs envs interleave without mixing.
Slot j of an env holds one frame F_j, its age (frames since its episode's first, capped at
stack - 1) and, once the step from F_j is taken, that transition: action, reward, terminated,
leading to F_{j+1}. An episode fills consecutive slots, first frame to final frame; the final
frame (the real last observation, also after a truncation) has no transition of its own, and the
next episode starts in the next slot. A stack reaching back past its episode's first frame
repeats that frame, as the envs do at reset, so no stack spans two episodes.

With 84x84 uint8 frames a transition costs 7056 bytes of frame plus 10 of bookkeeping, where
storing obs and next_obs stacks costs 56448: a million transitions take 7.07 GB, not 56 GB.
Vector observations (stack 1) are stored the same way, one observation per slot.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class ReplayBuffer:
    def __init__(self, capacity: int, num_envs: int, obs_shape: tuple[int, ...], dtype: Any, stack: int = 1):
        if obs_shape[0] % stack:
            raise ValueError(f"observation {obs_shape} is not a stack of {stack} frames")
        self.num_envs, self.stack, self.obs_shape = num_envs, stack, tuple(obs_shape)
        self.frame_shape = (obs_shape[0] // stack, *obs_shape[1:]) if stack > 1 else tuple(obs_shape)
        self.slots = max(capacity // num_envs, stack + 2)  # per env
        shape = (num_envs, self.slots)
        self.frames = np.zeros(shape + self.frame_shape, dtype=dtype)
        self.actions = np.zeros(shape, dtype=np.int32)
        self.rewards = np.zeros(shape, dtype=np.float32)
        self.terminated = np.zeros(shape, dtype=bool)
        self.has_step = np.zeros(shape, dtype=bool)
        self.age = np.zeros(shape, dtype=np.uint8)
        self.written = np.zeros(num_envs, dtype=np.int64)  # slots ever written, per env
        self.current = np.full(num_envs, -1, dtype=np.int64)  # slot of each env's latest frame; -1: none open
        self._envs = np.arange(num_envs)

    @property
    def nbytes(self) -> int:
        arrays = (self.frames, self.actions, self.rewards, self.terminated, self.has_step, self.age)
        return sum(a.nbytes for a in arrays)

    def __len__(self) -> int:
        return int(self.has_step.sum())

    def _newest(self, obs: np.ndarray) -> np.ndarray:
        return obs[:, -self.frame_shape[0] :] if self.stack > 1 else obs

    def _write_frame(self, envs: np.ndarray, slot: np.ndarray, frames: np.ndarray, age: np.ndarray) -> None:
        pos = slot % self.slots
        self.frames[envs, pos] = frames
        self.age[envs, pos] = age
        self.has_step[envs, pos] = False  # an overwritten slot loses its old transition

    def add(
        self,
        obs: np.ndarray,
        actions: np.ndarray,
        rewards: np.ndarray,
        next_obs: np.ndarray,
        terminated: np.ndarray,
        ended: np.ndarray,
    ) -> np.ndarray:
        """One step of every env: obs --actions--> next_obs (the real last obs where `ended`).
        Returns the slot of each env's new transition (for `get`)."""
        starting = self.current < 0
        if starting.any():  # a new episode: its first frame gets a slot of its own
            e = self._envs[starting]
            self._write_frame(e, self.written[e], self._newest(obs[e]), np.zeros(len(e), dtype=np.uint8))
            self.current[e] = self.written[e]
            self.written[e] += 1
        slot = self.current.copy()
        pos = slot % self.slots
        self.actions[self._envs, pos] = actions
        self.rewards[self._envs, pos] = rewards
        self.terminated[self._envs, pos] = terminated
        age = np.minimum(self.age[self._envs, pos].astype(np.int64) + 1, self.stack - 1)
        self._write_frame(self._envs, self.written, self._newest(next_obs), age)
        self.has_step[self._envs, pos] = True
        self.current = np.where(ended, -1, self.written)
        self.written += 1
        return slot

    def end_episodes(self) -> None:
        """The envs were reset outside the stream: their open episodes stop here."""
        self.current[:] = -1

    def sample(self, batch_size: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """A uniform batch of stored transitions."""
        lo = np.maximum(self.written - self.slots + self.stack - 1, 0)  # older stacks may be overwritten
        count = np.maximum(self.written - 1 - lo, 0)  # the newest frame has no transition yet
        if count.sum() == 0:
            raise ValueError("the replay buffer holds no transitions yet")
        envs = rng.choice(self.num_envs, size=batch_size, p=count / count.sum())
        slots = lo[envs] + (rng.random(batch_size) * count[envs]).astype(np.int64)
        bad = ~self.has_step[envs, slots % self.slots]
        while bad.any():  # final frames carry no transition: draw again for those
            k = int(bad.sum())
            envs[bad] = rng.choice(self.num_envs, size=k, p=count / count.sum())
            slots[bad] = lo[envs[bad]] + (rng.random(k) * count[envs[bad]]).astype(np.int64)
            bad = ~self.has_step[envs, slots % self.slots]
        return self.get(envs, slots)

    def get(self, envs: np.ndarray, slots: np.ndarray) -> dict[str, np.ndarray]:
        """The transitions at these (env, slot) pairs, stacks rebuilt."""
        pos = slots % self.slots
        return {
            "obs": self._stack(envs, slots),
            "actions": self.actions[envs, pos],
            "rewards": self.rewards[envs, pos],
            "terminated": self.terminated[envs, pos],
            "next_obs": self._stack(envs, slots + 1),
        }

    def _stack(self, envs: np.ndarray, slots: np.ndarray) -> np.ndarray:
        back = np.arange(self.stack - 1, -1, -1)  # oldest frame first
        age = self.age[envs, slots % self.slots].astype(np.int64)
        idx = slots[:, None] - np.minimum(back[None, :], age[:, None])
        frames = self.frames[envs[:, None], idx % self.slots]  # (B, stack, *frame_shape)
        return frames.reshape(len(envs), *self.obs_shape)

    def state_dict(self) -> dict[str, np.ndarray]:
        names = ("frames", "actions", "rewards", "terminated", "has_step", "age", "written", "current")
        return {name: getattr(self, name) for name in names}

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        for name, value in state.items():
            target = getattr(self, name)
            if target.shape != value.shape:
                raise ValueError(f"replay {name} has shape {value.shape}, expected {target.shape}")
            target[...] = value
