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
from typing import TYPE_CHECKING, Any

import numpy as np
from gymnasium.vector import AutoresetMode

try:
    from stable_baselines3.common.monitor import Monitor
    from stable_baselines3.common.vec_env.base_vec_env import VecEnv, VecEnvIndices
except ImportError as e:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "fastpool.sb3 needs Stable-Baselines3: pip install 'stable-baselines3>=2.9.2,<3' "
        "(or fastpool's sb3 extra, from its clone: pip install '.[sb3]')"
    ) from e

import fastpool
from fastpool.episodes import check_episode_statistics
from fastpool.families import family_of
from fastpool.vector import reset_mask

if TYPE_CHECKING:
    from fastpool._core import FinalStep


def make_sb3(env_id: str, n_envs: int = 1, seed: int | None = None, **options: Any) -> FastpoolVecEnv:
    """A fastpool pool as an SB3 VecEnv. For Atari ids the defaults are those of SB3's
    `make_atari_env` + `VecFrameStack(n_stack=4)`: frame skip 4, 30 no-ops, 84x84 gray, a stack
    of 4, episodic life and reward clipping on. Any `fastpool.make` option may be passed."""
    if "episode_statistics" in options and check_episode_statistics(options["episode_statistics"]):
        raise ValueError(
            "make_sb3 writes episode statistics itself, as SB3's Monitor (infos[i]['episode']): "
            "drop episode_statistics, a fastpool.make option for the gymnasium API"
        )
    options = {**family_of(env_id).sb3_defaults, **options}
    if not isinstance(n_envs, (int, np.integer)) or isinstance(n_envs, bool) or n_envs < 1:
        raise ValueError(f"n_envs must be an int >= 1, got {n_envs!r}")
    env = fastpool.make(env_id, num_envs=n_envs, seed=seed, autoreset_mode=AutoresetMode.SAME_STEP, **options)
    return FastpoolVecEnv(env)


class FastpoolVecEnv(VecEnv):
    """SB3's VecEnv contract over a same-step fastpool pool (see `make_sb3`)."""

    def __init__(self, env: fastpool.VectorEnv) -> None:
        if env.batch_size != env.num_envs:
            raise ValueError("SB3 steps every env at once: make the pool with batch_size=num_envs")
        if env.metadata["autoreset_mode"] != AutoresetMode.SAME_STEP:
            raise ValueError("SB3 expects same-step autoreset: make the pool with autoreset_mode='same_step'")
        self.env = env
        names = list(env.engine.info_names)
        self._info_index = {name: k for k, name in enumerate(names)}
        self._game_stats = family_of(env.env_id).game_scores  # true game score and length from the engine
        self._returns = np.zeros(env.num_envs)
        self._no_infos = range(env.num_envs)
        self._actions: np.ndarray | None = None
        self._start = time.time()
        super().__init__(env.num_envs, env.single_observation_space, env.single_action_space)

    # -- the VecEnv contract ---------------------------------------------------

    def reset(self) -> np.ndarray:
        """Reset every env, or with `set_options({"reset_mask": mask})` the masked ones (the
        others report their current observation); seeds from `seed()` apply once, as in DummyVecEnv."""
        options = self._reset_mask_options()
        seeds = self._seeds if any(s is not None for s in self._seeds) else None
        obs, _ = self.env.reset(seed=seeds, options=options)
        self._reset_seeds()
        self._reset_options()
        self.reset_infos = [{} for _ in range(self.num_envs)]
        self._returns[:] = 0
        return obs

    def set_options(self, options: list[dict] | dict | None = None) -> None:
        """SB3's contract: None, one dict for every env, or a list of one dict per env (None
        entries: none). Anything else is refused here, and the options set before stay."""
        if options is not None and not isinstance(options, dict):
            if not isinstance(options, (list, tuple)):
                raise TypeError(
                    f"set_options() takes a dict, a list of {self.num_envs} dicts (one per env) or None, "
                    f"got {type(options).__name__}"
                )
            if len(options) != self.num_envs:
                raise ValueError(f"set_options() needs one dict per env ({self.num_envs}), got {len(options)}")
            bad = [type(o).__name__ for o in options if o is not None and not isinstance(o, dict)]
            if bad:
                raise TypeError(f"set_options() takes a dict per env, got {bad[0]}")
            options = [{} if o is None else o for o in options]
        super().set_options(options)

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = actions

    def step_wait(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[dict[str, Any]]]:
        if self._actions is None:
            raise RuntimeError("step_wait() without step_async()")
        actions, self._actions = self._actions, None
        batch = self.env.step_batch(actions)
        reward, terminated, truncated = batch.reward, batch.terminated, batch.truncated
        dones = terminated | truncated
        infos: list[dict[str, Any]] = [{} for _ in self._no_infos]
        if not self._game_stats:
            self._returns += reward
        if dones.any():  # the only per-env Python work, on the few envs that ended
            self._record_ends(np.flatnonzero(dones), infos, terminated, truncated, batch.final)
        return batch.obs, reward.astype(np.float32), dones, infos

    def _reset_mask_options(self) -> dict[str, Any] | None:
        """The options set by set_options(), as one reset option for the pool. fastpool understands
        `reset_mask` (bool, one per env), which must then be the same for every env."""
        given: list[dict[str, Any]] = [o for o in self._options if o]
        if not given:
            return None
        unknown = sorted({key for o in given for key in o} - {"reset_mask"})
        mask: Any = given[0].get("reset_mask")
        error = None
        if unknown:
            error = f"unsupported reset options {unknown}: fastpool envs take only 'reset_mask'"
        elif len(given) != self.num_envs or any(not np.array_equal(o["reset_mask"], mask) for o in given):
            error = "set_options(): a reset_mask must be the same for every env (pass one dict)"
        if error:
            self._reset_options()  # refused options are dropped: the next reset() is a plain one
            raise ValueError(error)
        try:
            reset_mask({"reset_mask": mask}, self.num_envs)  # the pool's checks, with their messages
        except (TypeError, ValueError):
            self._reset_options()
            raise
        return {"reset_mask": mask}

    def _record_ends(
        self,
        ended: np.ndarray,
        infos: list[dict[str, Any]],
        terminated: np.ndarray,
        truncated: np.ndarray,
        final: FinalStep | None,
    ) -> None:
        assert final is not None  # same-step autoreset: every batch has one
        final_obs, final_elapsed, final_extra = final.obs, final.elapsed_step, final.info
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
        return list(self.env.render() or [None] * self.num_envs)

    # -- attributes and methods of the underlying envs (the pool's, see VectorEnv.call) --------

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        values = self.env.env_attributes()
        if not isinstance(attr_name, str):
            raise TypeError(f"an attribute name must be a str, got {type(attr_name).__name__} {attr_name!r}")
        if attr_name not in values or callable(values[attr_name]):
            attrs = sorted(k for k, v in values.items() if not callable(v))
            raise AttributeError(f"fastpool envs have no attribute {attr_name!r}; they offer {attrs}")
        return [values[attr_name][i] for i in self._get_indices(indices)]

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        raise AttributeError(
            f"fastpool envs are configured by make_sb3()/fastpool.make(); set_attr({attr_name!r}) is not supported"
        )

    def env_method(
        self, method_name: str, *method_args: Any, indices: VecEnvIndices = None, **method_kwargs: Any
    ) -> list[Any]:
        values = self.env.env_attributes()
        if not isinstance(method_name, str):
            raise TypeError(f"a method name must be a str, got {type(method_name).__name__} {method_name!r}")
        if not callable(values.get(method_name)):
            methods = sorted(k for k, v in values.items() if callable(v))
            raise AttributeError(f"fastpool envs have no method {method_name!r}; they offer {methods}")
        if method_args or method_kwargs:
            raise TypeError(f"{method_name}() takes no arguments")
        return [values[method_name](i) for i in self._get_indices(indices)]

    def env_is_wrapped(self, wrapper_class: type, indices: VecEnvIndices = None) -> list[bool]:
        # The pool writes Monitor's episode statistics itself; no gymnasium wrappers exist.
        wrapped = isinstance(wrapper_class, type) and issubclass(Monitor, wrapper_class)
        return [wrapped for _ in self._get_indices(indices)]

    def _get_indices(self, indices: VecEnvIndices) -> Iterable[int]:
        """Every form DummyVecEnv takes: None (all), an int, negative ints (from the end), iterables."""
        if isinstance(indices, (int, np.integer)):
            indices = [indices]
        out = []
        for i in super()._get_indices(indices):
            if not isinstance(i, (int, np.integer)) or isinstance(i, (bool, np.bool_)):
                raise TypeError(f"env indices must be ints, got {type(i).__name__}")
            if not -self.num_envs <= i < self.num_envs:
                raise IndexError(f"env index {i} out of range [-{self.num_envs}, {self.num_envs})")
            out.append(int(i) % self.num_envs)
        return out

    def __repr__(self) -> str:
        return f"FastpoolVecEnv({self.env!r})"
