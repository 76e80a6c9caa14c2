"""Stable-Baselines3 front end: a drop-in `VecEnv` over the C++ pool.

    vec_env = fastpool.make_sb3("BreakoutNoFrameskip-v4", n_envs=8, seed=0)
    # replaces: VecFrameStack(make_atari_env("BreakoutNoFrameskip-v4", n_envs=8, seed=0), n_stack=4)
    model = DQN("CnnPolicy", vec_env).learn(100_000)

Observations are channel-first uint8 stacks, so SB3 adds no VecTransposeImage. Episode
statistics (`info["episode"]`, what SB3's Monitor writes) are the true game scores and lengths,
even with episodic life and reward clipping on, so `ep_rew_mean` and `evaluate_policy` report
what the game reports.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from gymnasium.vector import AutoresetMode

try:
    from stable_baselines3.common.monitor import Monitor
    from stable_baselines3.common.vec_env.base_vec_env import VecEnv
except ImportError as e:  # pragma: no cover - exercised only without the extra
    raise ImportError("fastpool.sb3 needs Stable-Baselines3: pip install 'fastpool[sb3]'") from e

import fastpool
from fastpool.registry import resolve

# SB3's AtariWrapper defaults (terminal_on_life_loss, clip_reward), which make_atari_env applies.
SB3_ATARI_DEFAULTS = {"episodic_life": True, "reward_clip": True}


def make_sb3(env_id: str, n_envs: int = 1, seed: int | None = None, **options: Any) -> FastpoolVecEnv:
    """A fastpool pool as an SB3 VecEnv. For Atari ids the defaults are those of SB3's
    `make_atari_env` + `VecFrameStack(n_stack=4)`: frame skip 4, 30 no-ops, 84x84 gray, a stack
    of 4, episodic life and reward clipping on. Any `fastpool.make` option may be passed."""
    if resolve(env_id).family == "atari":
        options = {**SB3_ATARI_DEFAULTS, **options}
    env = fastpool.make(env_id, num_envs=n_envs, seed=seed, autoreset_mode=AutoresetMode.SAME_STEP, **options)
    return FastpoolVecEnv(env)


class FastpoolVecEnv(VecEnv):
    """SB3's VecEnv contract over a same-step fastpool pool (see `make_sb3`)."""

    def __init__(self, env: fastpool.VectorEnv):
        if env.batch_size != env.num_envs:
            raise ValueError("SB3 steps every env at once: make the pool with batch_size=num_envs")
        if env.metadata["autoreset_mode"] != AutoresetMode.SAME_STEP:
            raise ValueError("SB3 expects same-step autoreset: make the pool with autoreset_mode='same_step'")
        self.env = env
        self._core = env._core
        names = list(self._core.info_names)
        self._info_index = {name: k for k, name in enumerate(names)}
        self._game_stats = "score" in names  # Atari: true game score and length from the engine
        self._returns = np.zeros(env.num_envs)
        self._no_infos = range(env.num_envs)
        self._actions: np.ndarray | None = None
        self._extra = np.zeros((env.num_envs, len(names)), dtype=np.int32)
        self._start = time.time()
        super().__init__(env.num_envs, env.single_observation_space, env.single_action_space)

    # -- the VecEnv contract ---------------------------------------------------

    def reset(self):
        if any(self._options):
            raise ValueError(f"fastpool envs take no reset options, got {self._options}")
        seeds = self._seeds if any(s is not None for s in self._seeds) else None
        obs, info = self.env.reset(seed=seeds)
        self._reset_seeds()
        self._reset_options()
        self._extra = np.stack([info[name] for name in self._info_index], axis=1) if self._info_index else self._extra
        self.reset_infos = [{} for _ in range(self.num_envs)]
        self._returns[:] = 0
        return obs

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = actions

    def step_wait(self):
        if self._actions is None:
            raise RuntimeError("step_wait() without step_async()")
        actions, self._actions = self._actions, None
        obs, reward, terminated, truncated, _, _, extra, final = self._core.step(actions)
        self._extra = extra
        dones = terminated | truncated
        infos: list[dict[str, Any]] = [{} for _ in self._no_infos]
        if not self._game_stats:
            self._returns += reward
        if dones.any():  # the only per-env Python work, on the few envs that ended
            self._record_ends(np.flatnonzero(dones), infos, terminated, truncated, final)
        return obs, reward.astype(np.float32), dones, infos

    def _record_ends(self, ended: np.ndarray, infos, terminated, truncated, final) -> None:
        final_obs, final_elapsed, final_extra = final
        now = round(time.time() - self._start, 6)
        time_limit = (truncated[ended] & ~terminated[ended]).tolist()
        if self._game_stats:  # a lost life is not the end of a game
            k = self._info_index
            game_end = (final_extra[ended, k["game_over"]] != 0) | truncated[ended]
            scores = final_extra[ended, k["score"]].tolist()
            lengths = final_extra[ended, k["game_step"]].tolist()
        else:
            game_end = itertools.repeat(True)
            scores = self._returns[ended].tolist()
            lengths = final_elapsed[ended].tolist()
            self._returns[ended] = 0.0
        if not isinstance(game_end, itertools.repeat):
            game_end = game_end.tolist()
        for j, (i, game_over) in enumerate(zip(ended.tolist(), game_end)):
            info = infos[i]
            info["terminal_observation"] = final_obs[i]
            info["TimeLimit.truncated"] = time_limit[j]
            if game_over:
                info["episode"] = {"r": float(scores[j]), "l": lengths[j], "t": now}

    def close(self) -> None:
        self.env.close()

    def get_images(self) -> Sequence[np.ndarray | None]:
        return [self.env.render(i) for i in range(self.num_envs)]

    # -- attributes and methods of the underlying envs ----------------------------

    def _attributes(self) -> dict[str, Any]:
        attrs: dict[str, Any] = {
            "render_mode": self.env.render_mode,
            "spec": None,
            "action_meanings": self.env.get_action_meanings(),
        }
        for name, k in self._info_index.items():
            attrs[name] = self._extra[:, k]  # per env: lives, score, ...
        return attrs

    def get_attr(self, attr_name: str, indices=None) -> list[Any]:
        attrs = self._attributes()
        if attr_name not in attrs:
            raise AttributeError(f"fastpool envs have no attribute {attr_name!r}; they offer {sorted(attrs)}")
        value = attrs[attr_name]
        per_env = isinstance(value, np.ndarray) and value.shape[:1] == (self.num_envs,)
        return [value[i].item() if per_env else value for i in self._get_indices(indices)]

    def set_attr(self, attr_name: str, value: Any, indices=None) -> None:
        raise AttributeError(
            f"fastpool envs are configured by make_sb3()/fastpool.make(); set_attr({attr_name!r}) is not supported"
        )

    def env_method(self, method_name: str, *method_args, indices=None, **method_kwargs) -> list[Any]:
        methods = {
            "get_action_meanings": lambda i: self.env.get_action_meanings(),
            "render": lambda i: self.env.render(i),
        }
        if method_name not in methods:
            raise AttributeError(f"fastpool envs have no method {method_name!r}; they offer {sorted(methods)}")
        if method_args or method_kwargs:
            raise TypeError(f"{method_name}() takes no arguments")
        return [methods[method_name](i) for i in self._get_indices(indices)]

    def env_is_wrapped(self, wrapper_class: type, indices=None) -> list[bool]:
        # The pool writes Monitor's episode statistics itself; no gymnasium wrappers exist.
        wrapped = isinstance(wrapper_class, type) and issubclass(Monitor, wrapper_class)
        return [wrapped for _ in self._get_indices(indices)]

    def _get_indices(self, indices) -> Iterable[int]:
        out = list(super()._get_indices(indices))
        for i in out:
            if not 0 <= i < self.num_envs:
                raise IndexError(f"env index {i} out of range [0, {self.num_envs})")
        return out

    def __repr__(self) -> str:
        return f"FastpoolVecEnv({self.env!r})"
