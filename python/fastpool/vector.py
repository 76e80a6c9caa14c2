"""The gymnasium front end: a `gymnasium.vector.VectorEnv` over the C++ pool."""

from __future__ import annotations

import os
from typing import Any

import gymnasium
import numpy as np
from gymnasium import spaces
from gymnasium.vector import AutoresetMode
from gymnasium.vector.utils import batch_space

_MAX_SEED = 2**64 - 1


class VectorEnv(gymnasium.vector.VectorEnv):
    """Many envs stepped by C++ threads, seen as one gymnasium vector env.

    Build one with `fastpool.make`. Sync use: `reset()` then `step(actions)` for all
    envs. Async use (`batch_size < num_envs`, EnvPool's model): `async_reset()`,
    then `recv()` returns the first `batch_size` envs to finish, with their ids in
    `info["env_id"]`, and `send(actions, env_ids)` steps those envs again.

    Observations, rewards and flags are numpy arrays that share memory with the
    engine's batch buffers; the engine never writes into a batch you still hold.
    """

    def __init__(
        self,
        env_id: str,
        core: Any,
        single_observation_space: spaces.Space,
        autoreset_mode: AutoresetMode,
        seed: int,
    ):
        self.env_id = env_id
        self._core = core
        self.num_envs = core.num_envs
        self.batch_size = core.batch_size
        self.num_threads = core.num_threads
        self.seed_base = seed
        self.single_observation_space = single_observation_space
        self.single_action_space = spaces.Discrete(core.num_actions)
        self.observation_space = batch_space(single_observation_space, self.batch_size)
        self.action_space = batch_space(self.single_action_space, self.batch_size)
        can_render = len(core.render_shape) > 0
        self.metadata = {
            "autoreset_mode": autoreset_mode,
            "render_modes": ["rgb_array"] if can_render else [],
        }
        self.render_mode = "rgb_array" if can_render else None
        self.closed = False
        self._info_names = list(core.info_names)
        self._all_true = np.ones(self.batch_size, dtype=bool)
        self._all_true.setflags(write=False)

    # -- gymnasium API --------------------------------------------------------

    def reset(self, *, seed: int | list[int | None] | None = None, options: dict | None = None):
        """Reset every env. `seed=s` seeds env i with `s + i`; a list gives each env its seed
        (None entries keep their stream); None continues each env's stream."""
        self._check_options(options)
        if self.batch_size != self.num_envs:
            self.async_reset(seed=seed, options=options)
            obs, _, _, _, info = self._unpack(self._core.recv(help=True))
            return obs, info
        seeds = self._seeds(seed)
        if isinstance(seeds, tuple):  # some envs seeded, some not
            for ids, s in seeds:
                self._core.send_reset(ids, s, caller_helps=True)
            out = self._core.recv(help=True)
        else:
            out = self._core.reset(seeds)
        obs, _, _, _, info = self._unpack(out)
        return obs, info

    def step(self, actions):
        """Step every env with one action each (autoreset as `metadata["autoreset_mode"]`)."""
        return self._unpack(self._core.step(actions))

    def render(self, env_id: int = 0) -> np.ndarray:
        """The current RGB screen of env `env_id` (Atari: uint8 (210, 160, 3))."""
        if not _is_int(env_id):
            raise TypeError(f"env_id must be an int, got {type(env_id).__name__}")
        return self._core.render(int(env_id))

    def get_action_meanings(self) -> list[str]:
        """What each action does, e.g. ["NOOP", "FIRE", "RIGHT", "LEFT"] for Breakout."""
        return list(self._core.action_names)

    def close_extras(self, **kwargs: Any) -> None:
        self._core.close()

    def __enter__(self) -> VectorEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- async API (EnvPool's model) -----------------------------------------

    def async_reset(self, *, seed: int | list[int | None] | None = None, options: dict | None = None) -> None:
        """Queue a reset of every env; results arrive through `recv()`."""
        self._check_options(options)
        seeds = self._seeds(seed)
        if isinstance(seeds, tuple):
            for ids, s in seeds:
                self._core.send_reset(ids, s)
        else:
            self._core.send_reset(None, seeds)

    def send(self, actions, env_ids=None) -> None:
        """Queue one step for each env in `env_ids` (default: all envs)."""
        if env_ids is None:
            env_ids = np.arange(self.num_envs)
        self._core.send(actions, env_ids)

    def recv(self):
        """The next `batch_size` results: (obs, reward, terminated, truncated, info)."""
        return self._unpack(self._core.recv())

    # -- helpers ---------------------------------------------------------------

    def _unpack(self, out):
        obs, reward, terminated, truncated, env_id, elapsed, extra, final = out
        info: dict[str, Any] = {
            "env_id": env_id,
            "_env_id": self._all_true,
            "elapsed_step": elapsed,
            "_elapsed_step": self._all_true,
        }
        for k, name in enumerate(self._info_names):
            info[name] = extra[:, k]
            info["_" + name] = self._all_true
        if final is not None:
            ended = terminated | truncated
            if ended.any():
                info.update(self._final_info(ended, env_id, *final))
        return obs, reward, terminated, truncated, info

    def _final_info(self, ended, env_id, final_obs, final_elapsed, final_extra) -> dict[str, Any]:
        """gymnasium's same-step layout: `final_obs` (object array) and `final_info`, with masks."""
        rows = np.flatnonzero(ended)
        obs = np.full(len(ended), None, dtype=object)
        for r in rows:
            obs[r] = final_obs[r]
        final_info: dict[str, Any] = {
            "env_id": np.where(ended, env_id, 0),
            "_env_id": ended,
            "elapsed_step": np.where(ended, final_elapsed, 0),
            "_elapsed_step": ended,
        }
        for k, name in enumerate(self._info_names):
            final_info[name] = np.where(ended, final_extra[:, k], 0)
            final_info["_" + name] = ended
        return {"final_obs": obs, "_final_obs": ended, "final_info": final_info, "_final_info": ended}

    @staticmethod
    def _check_options(options: dict | None) -> None:
        if options:
            raise ValueError(f"unsupported reset options: {sorted(options)}")

    def _seeds(self, seed):
        """None, a uint64 array (one per env), or ((ids, seeds), (ids, None)) for mixed lists."""
        seed = check_seed(seed, self.num_envs)
        if seed is None:
            return None
        if isinstance(seed, int):
            return np.uint64(seed) + np.arange(self.num_envs, dtype=np.uint64)
        given = [i for i, s in enumerate(seed) if s is not None]
        if len(given) == self.num_envs:
            return np.array(seed, dtype=np.uint64)
        kept = [i for i, s in enumerate(seed) if s is None]
        parts = []
        if given:
            parts.append((np.array(given), np.array([seed[i] for i in given], dtype=np.uint64)))
        parts.append((np.array(kept), None))
        return tuple(parts)

    def __repr__(self) -> str:
        mode = self.metadata["autoreset_mode"].name
        state = ", closed" if self.closed else ""
        return (
            f"fastpool.VectorEnv({self.env_id!r}, num_envs={self.num_envs}, batch_size={self.batch_size}, "
            f"num_threads={self.num_threads}, autoreset_mode={mode}{state})"
        )


def _is_int(x: Any) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def default_num_threads(num_envs: int) -> int:
    """The CPUs this process may run on (affinity-aware where the OS tells), at most num_envs."""
    try:
        cpus = len(os.sched_getaffinity(0))  # Linux
    except AttributeError:  # macOS, Windows
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, num_envs))


def check_seed(seed, num_envs: int) -> int | list[int | None] | None:
    """A reset() seed, checked: None, an int (env i gets seed + i), or one int or None per env."""
    if seed is None:
        return None
    if _is_int(seed):
        seed = int(seed)
        if seed < 0 or seed + num_envs - 1 > _MAX_SEED:
            raise ValueError(f"seed must be an integer in [0, 2**64 - num_envs], got {seed}")
        return seed
    if isinstance(seed, (list, tuple, np.ndarray)):
        seeds = list(seed)
        if len(seeds) != num_envs:
            raise ValueError(f"seed list must have one entry per env ({num_envs}), got {len(seeds)}")
        for s in seeds:
            if s is not None and not _is_int(s):
                raise TypeError(f"seeds must be integers or None, got {type(s).__name__}")
            if s is not None and not 0 <= int(s) <= _MAX_SEED:
                raise ValueError(f"seeds must be in [0, 2**64), got {s}")
        return [None if s is None else int(s) for s in seeds]
    raise TypeError(f"seed must be an int, a list of ints or None, got {type(seed).__name__}")
