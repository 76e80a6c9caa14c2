"""The gymnasium front end: a `gymnasium.vector.VectorEnv` over the C++ pool."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn, SupportsIndex, overload

import gymnasium
import numpy as np
import numpy.typing as npt
from gymnasium import spaces
from gymnasium.vector import AutoresetMode
from gymnasium.vector.utils import batch_space

from fastpool.episodes import KEY as _EPISODE
from fastpool.episodes import EpisodeStatistics
from fastpool.families import family_of

if TYPE_CHECKING:
    from fastpool._core import Batch, FinalStep, Pool

_MAX_SEED = 2**64 - 1


class Unshareable:
    """A pool owns threads and emulators: a copy would share them, and dropping the copy
    would close the original. Copies and pickles are refused; make another pool instead."""

    def __copy__(self) -> NoReturn:
        raise TypeError(f"a {type(self).__name__} cannot be copied: make another with fastpool.make(...)")

    def __deepcopy__(self, memo: dict[int, Any]) -> NoReturn:
        raise TypeError(f"a {type(self).__name__} cannot be copied: make another with fastpool.make(...)")

    def __reduce_ex__(self, protocol: SupportsIndex) -> NoReturn:
        raise TypeError(
            f"a {type(self).__name__} cannot be pickled (it owns threads and emulators): "
            "send its id and options, and call fastpool.make(...) where it is needed"
        )


# Each per-env space and its batched counterpart.
_BATCHED_SPACE = {"single_observation_space": "observation_space", "single_action_space": "action_space"}


class FixedSpaces:
    """`single_observation_space` and `single_action_space` are one env's spaces,
    `observation_space` and `action_space` the batch's, as in gymnasium's vector API; they are
    set once, when the pool is made. Code written for EnvPool, whose spaces are per env, patches
    `env.single_action_space = env.action_space`: here that would put the batch's space where
    one env's belongs, and fail much later (`'MultiDiscrete' object has no attribute 'n'`). So
    assigning a space equal to the current one is accepted (it changes nothing), and assigning
    a different one raises an AttributeError that names both spaces."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _BATCHED_SPACE and name in self.__dict__ and not _same_space(self.__dict__[name], value):
            batched = _BATCHED_SPACE[name]
            raise AttributeError(
                f"{name} is one env's space, {self.__dict__[name]}, and {batched} the batch's, "
                f"{getattr(self, batched, None)}; setting {name} to {value} is refused. fastpool follows "
                f"gymnasium's vector API, so EnvPool-style patching (env.{name} = env.{batched}) "
                "is not needed: drop it"
            )
        super().__setattr__(name, value)


def _same_space(current: spaces.Space, value: Any) -> bool:
    return isinstance(value, spaces.Space) and bool(current == value)


class VectorEnv(Unshareable, FixedSpaces, gymnasium.vector.VectorEnv):
    """Many envs stepped by C++ threads, seen as one gymnasium vector env.

    Build one with `fastpool.make`. Sync use: `reset()` then `step(actions)` for all
    envs, or `send(actions, env_ids)` then `recv()` for some of them. Async use
    (`batch_size < num_envs`, EnvPool's model): `async_reset()`, then `recv()` returns
    the first `batch_size` envs to finish, with their ids in `info["env_id"]`, and
    `send(actions, env_ids)` steps those envs again. `len(env)` is `num_envs`.

    Observations, rewards and flags are numpy arrays that share memory with the
    engine's batch buffers; the engine never writes into a batch you still hold.
    """

    def __init__(
        self,
        env_id: str,
        core: Pool,
        single_observation_space: spaces.Space,
        autoreset_mode: AutoresetMode,
        seed: int,
        info_keys: Sequence[str] | None = None,
        episode_statistics: bool = False,
    ) -> None:
        self.env_id = env_id
        self._core = core
        self.num_envs = core.num_envs
        self.batch_size = core.batch_size
        self.num_threads = core.num_threads
        self.seed_base = seed
        self.single_observation_space = single_observation_space
        self.single_action_space: spaces.Discrete | spaces.Box = (
            spaces.Box(np.array(core.action_low, np.float32), np.array(core.action_high, np.float32), dtype=np.float32)
            if core.action_dim
            else spaces.Discrete(core.num_actions)
        )
        self.observation_space = batch_space(single_observation_space, self.batch_size)
        self.action_space = batch_space(self.single_action_space, self.batch_size)
        can_render = len(core.render_shape) > 0
        self.metadata = {
            "autoreset_mode": autoreset_mode,
            "render_modes": ["rgb_array"] if can_render else [],
            "render_fps": 30 if can_render else None,  # as ale-py's AtariEnv
        }
        self.render_mode = "rgb_array" if can_render else None
        self.closed = False
        names = list(core.info_names)
        # info_keys None: every engine field plus env_id and elapsed_step; else exactly these, as int64
        # (what the reference env's info dict holds, batched by gymnasium).
        self._gym_info = info_keys is not None
        self._info_columns = [(k, n) for k, n in enumerate(names) if info_keys is None or n in info_keys]
        self._last_info = np.zeros((self.num_envs, len(names)), dtype=np.int32)  # per env, for get_attr
        # The engine's info byte block (Atari's ram_info=True: info["ram"]), after those columns.
        self._info_bytes = (
            (core.info_bytes_name, len(names), core.info_bytes)
            if core.info_bytes and (info_keys is None or core.info_bytes_name in info_keys)
            else None
        )
        self._env_seeds = [seed + i for i in range(self.num_envs)]
        # Autoreset disabled: which envs ended and await a reset (stepping them is an error).
        self._ended = np.zeros(self.num_envs, dtype=bool) if autoreset_mode is AutoresetMode.DISABLED else None
        self._keeps_state = bool(self._info_columns) or self._ended is not None  # _record has work
        # make(episode_statistics=True): info["episode"] and info["_episode"], as gymnasium's wrapper
        self._stats = (
            EpisodeStatistics(self.num_envs, autoreset_mode, names, family_of(env_id).game_scores)
            if episode_statistics
            else None
        )
        self._all_true = np.ones(self.batch_size, dtype=bool)
        self._all_true.setflags(write=False)

    # -- gymnasium API --------------------------------------------------------

    def reset(
        self, *, seed: int | list[int | None] | None = None, options: dict | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Reset every env, or with `options={"reset_mask": mask}` (bool, one per env) only the
        masked ones: the others keep their state and report their current observation, and the
        info masks (`info["_key"]`) are true for the reset envs only, as in gymnasium.

        `seed=s` seeds env i with `s + i`; a list gives each env its seed (None entries keep
        their stream); None continues each env's stream. Under a mask, only masked envs' seeds apply.
        """
        seed = check_seed(seed, self.num_envs)  # everything is checked before anything changes
        mask = reset_mask(options, self.num_envs)
        if self.batch_size != self.num_envs:
            if mask is not None and mask.sum() < self.batch_size:
                raise ValueError(
                    f"reset_mask selects {int(mask.sum())} envs, fewer than batch_size={self.batch_size}: "
                    "reset() would wait forever; use async_reset() and recv() instead"
                )
            self._send_reset(seed, mask, options)
            obs, _, _, _, info = self._receive(help=True)
            return obs, info
        return self.sync_reset(seed, mask, options)

    def step(self, actions: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """Step every env with one action each (autoreset as `metadata["autoreset_mode"]`)."""
        return self._unpack(self.step_batch(actions))

    @overload  # type: ignore[override]  # gymnasium's render returns a free TypeVar
    def render(self, env_id: None = None) -> tuple[np.ndarray, ...] | None: ...

    @overload
    def render(self, env_id: int) -> np.ndarray: ...

    def render(self, env_id: int | None = None) -> tuple[np.ndarray, ...] | np.ndarray | None:
        """gymnasium's vector render: a tuple with every env's frame (`render_mode="rgb_array"`;
        Atari: uint8 (210, 160, 3) RGB screens), or None for envs that cannot render.
        `render(env_id=i)` returns env i's frame alone."""
        if env_id is None:
            if self.render_mode is None:
                return None
            return tuple(self._core.render(i) for i in range(self.num_envs))
        if not _is_int(env_id):
            raise TypeError(f"env_id must be an int, got {type(env_id).__name__}")
        if self.render_mode is None:
            raise RuntimeError(f"{self.env_id} cannot render (its render_mode is None)")
        if not 0 <= env_id < self.num_envs:
            raise ValueError(f"env_id {env_id} is out of range [0, {self.num_envs})")
        return self._core.render(int(env_id))

    def get_action_meanings(self) -> list[str]:
        """What each action does, e.g. ["NOOP", "FIRE", "RIGHT", "LEFT"] for Breakout."""
        return list(self._core.action_names)

    @property
    def np_random_seed(self) -> tuple[int, ...]:  # type: ignore[override]  # as SyncVectorEnv's
        """Each env's seed, as gymnasium's vector envs report it: `make(seed=s)` and
        `reset(seed=s)` give env i the seed `s + i`."""
        return tuple(self._env_seeds)

    def call(self, name: str, *args: Any, **kwargs: Any) -> tuple[Any, ...]:
        """Each env's attribute `name`, or the result of calling its method `name` with the
        arguments, as `SyncVectorEnv.call`: `lives`, `get_action_meanings`, `render`, ..."""
        table = self.env_attributes()
        value = table[check_attr_name(name, table)]
        if callable(value):
            check_no_arguments(name, args, kwargs)
            return tuple(value(i) for i in range(self.num_envs))
        if args or kwargs:
            raise TypeError(f"{name!r} is an attribute, not a method: call({name!r}) takes no arguments")
        return tuple(value)

    def get_attr(self, name: str) -> tuple[Any, ...]:
        """Each env's attribute `name` (see `call`)."""
        return self.call(name)

    def set_attr(self, name: str, values: Any) -> None:
        """Refused: a pool's envs are configured once, by `fastpool.make`."""
        raise set_attr_refused(name, values, self.num_envs)

    def close_extras(self, **kwargs: Any) -> None:
        self._core.close()

    def __enter__(self) -> VectorEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        """The number of envs, `num_envs` (as EnvPool's `len(env)`)."""
        return self.num_envs

    # -- async API (EnvPool's model) -----------------------------------------

    def async_reset(self, *, seed: int | list[int | None] | None = None, options: dict | None = None) -> None:
        """Queue a reset of every env (or, with `options={"reset_mask": mask}`, of the masked
        ones); results arrive through `recv()`."""
        seed = check_seed(seed, self.num_envs)
        self._send_reset(seed, reset_mask(options, self.num_envs), options)

    def _send_reset(
        self, seed: int | list[int | None] | None, mask: np.ndarray | None, options: dict | None = None
    ) -> None:
        seed = check_seed(seed, self.num_envs)
        seeds, seeded = self._seed_arrays(seed)
        ids = None if mask is None else np.flatnonzero(mask)
        if ids is not None:
            seeds = None if seeds is None else seeds[ids]
            seeded = None if seeded is None else seeded[ids]
        self._core.send_reset(ids, seeds, seeded)
        take_reset_mask(options)  # accepted: now (only now) it leaves the options, as in gymnasium
        record_seeds(self._env_seeds, seed, mask)
        if self._ended is not None:
            self._ended[slice(None) if ids is None else ids] = False

    def send(self, actions: npt.ArrayLike, env_ids: npt.ArrayLike | None = None) -> None:
        """Queue one step for each env in `env_ids` (default: all envs), one action each. In a
        sync pool the next `recv()` returns the results of the envs sent since the last one,
        in env id order; in an async pool, the first `batch_size` envs to finish."""
        if self._ended is not None:
            ids = valid_env_ids(np.arange(self.num_envs) if env_ids is None else env_ids, self.num_envs)
            if ids is not None:  # else the engine refuses them, naming the problem
                check_not_ended(self._ended[ids], ids)
        self._core.send(actions, env_ids)  # None: every env, which the engine may split among its threads

    def recv(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """The next results, (obs, reward, terminated, truncated, info), one row per env, its id
        in `info["env_id"]`: in a sync pool those of every env sent since the last `recv()`
        (all or some), in env id order; in an async pool the first `batch_size` to finish."""
        return self._receive(help=False)

    # -- the front ends' interface: what single.py, sb3.py and ray_backend.py use --------------

    @property
    def engine(self) -> Pool:
        """The C++ pool. FastpoolEnv (one gymnasium Env) steps it directly: it keeps none of
        this env's books, as it steps on after an episode ended."""
        return self._core

    @property
    def info_columns(self) -> list[tuple[int, str]]:
        """The engine's info columns this env reports (see `info_keys`), as (column of
        `Batch.info`, name)."""
        return self._info_columns

    @property
    def env_seeds(self) -> list[int]:
        """Each env's current seed (`np_random_seed`), to be updated by a front end that
        resets the engine itself."""
        return self._env_seeds

    def step_batch(self, actions: npt.ArrayLike) -> Batch:
        """A sync step as the engine returns it, this env's books kept (the SB3 front builds
        its own step from it)."""
        if self._ended is not None:
            check_not_ended(self._ended)
        batch = self._core.step(actions)
        if self._keeps_state:
            self._record(batch)
        return batch

    def sync_reset(
        self, seed: int | list[int | None] | None, mask: np.ndarray | None, options: dict | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """reset() of a sync pool; `mask` may select no env at all (a Ray worker's share of a
        partial reset): then every env reports its current observation. `options`: the reset
        options the mask came from, which it leaves once the reset is done."""
        seed = check_seed(seed, self.num_envs)
        seeds, seeded = self._seed_arrays(seed)
        batch = self._core.reset(seeds, seeded, None if mask is None else ~mask)
        take_reset_mask(options)
        record_seeds(self._env_seeds, seed, mask)
        self._record(batch, mask)
        obs, _, _, _, info = self._unpack(batch, mask)
        return obs, info

    def env_attributes(self) -> dict[str, Any]:
        """Per-env attributes (a sequence, one value per env) and methods (called with the env's
        index), as `call` and SB3's `get_attr`/`env_method` offer them."""
        n = self.num_envs
        table: dict[str, Any] = {
            "render_mode": [self.render_mode] * n,
            "spec": [None] * n,
            "np_random_seed": self._env_seeds,
            "observation_space": [self.single_observation_space] * n,
            "action_space": [self.single_action_space] * n,
            "action_meanings": [self.get_action_meanings()] * n,
            "get_action_meanings": lambda i: self.get_action_meanings(),
            "render": lambda i: self.render(env_id=i),
        }
        for k, name in self._info_columns:  # per env, from its latest result: lives, score, ...
            table[name] = self._last_info[:, k].tolist()
        return table

    # -- helpers ---------------------------------------------------------------

    def _receive(self, help: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        batch = self._core.recv(help=help)
        if self._keeps_state:
            self._record(batch)
        rows = len(batch.env_id)  # a sync pool's batch of the envs sent may hold fewer
        return self._unpack(batch, all_true=None if rows == len(self._all_true) else np.ones(rows, dtype=bool))

    def _record(self, batch: Batch, mask: np.ndarray | None = None) -> None:
        """What the front ends read later: each env's latest info (get_attr) and, with autoreset
        disabled, which envs ended. A partial reset (`mask`) changes only the envs it reset."""
        env_id, extra = batch.env_id, batch.info
        if mask is not None:
            env_id, extra = env_id[mask], extra[mask]
        if self._info_columns:
            self._last_info[env_id] = extra[:, : len(self._last_info[0])]
        if self._ended is not None:
            ended = batch.terminated | batch.truncated
            self._ended[env_id] = ended if mask is None else ended[mask]

    def _unpack(
        self, batch: Batch, mask: np.ndarray | None = None, all_true: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """A Batch as gymnasium's step tuple; `mask`: the envs a partial reset reset (the
        others' info entries are 0 and masked out, as SyncVectorEnv leaves them); `all_true`:
        one True per row where the batch holds fewer rows than batch_size (a sync pool's batch
        of the envs sent). Every result handed out passes here once, so the episode statistics
        count each exactly once."""
        env_id, elapsed, extra = batch.env_id, batch.elapsed_step, batch.info
        if all_true is None:
            all_true = self._all_true
        info: dict[str, Any]
        if mask is None and not self._gym_info:  # the per-step path: views, no copies
            has = all_true
            info = {"env_id": env_id, "_env_id": has, "elapsed_step": elapsed, "_elapsed_step": has}
            for k, name in self._info_columns:
                info[name] = extra[:, k]
                info["_" + name] = has
            if self._info_bytes is not None:
                name = self._info_bytes[0]
                info[name], info["_" + name] = self._bytes_of(extra), has
        else:
            has = all_true if mask is None else mask
            info = {}
            fields = [] if self._gym_info else [("env_id", env_id), ("elapsed_step", elapsed)]
            fields += [(name, extra[:, k]) for k, name in self._info_columns]
            for name, value in fields:
                if self._gym_info:
                    value = value.astype(np.int64)
                info[name] = value if mask is None else np.where(mask, value, 0)
                info["_" + name] = has
            if self._info_bytes is not None:
                name, value = self._info_bytes[0], self._bytes_of(extra)
                info[name] = value if mask is None else np.where(mask[:, None], value, 0).astype(np.uint8)
                info["_" + name] = has
        terminated, truncated, final = batch.terminated, batch.truncated, batch.final
        if final is not None:
            ended = terminated | truncated
            if ended.any():
                info.update(self._final_info(ended, env_id, final))
        if self._stats is not None:
            stats = self._stats.update(batch, mask)
            if stats is not None:  # after every other key, where gymnasium's wrapper puts them
                info[_EPISODE], info["_" + _EPISODE] = stats
        return batch.obs, batch.reward, terminated, truncated, info

    def _final_info(self, ended: np.ndarray, env_id: np.ndarray, final: FinalStep) -> dict[str, Any]:
        """gymnasium's same-step layout: `final_obs` (object array) and `final_info`, with masks."""
        rows = np.flatnonzero(ended)
        obs = np.full(len(ended), None, dtype=object)
        for r in rows:
            obs[r] = final.obs[r]
        final_info: dict[str, Any] = {}
        fields = [] if self._gym_info else [("env_id", env_id), ("elapsed_step", final.elapsed_step)]
        fields += [(name, final.info[:, k]) for k, name in self._info_columns]
        for name, value in fields:
            final_info[name] = np.where(ended, value, 0).astype(np.int64 if self._gym_info else value.dtype)
            final_info["_" + name] = ended
        if self._info_bytes is not None:
            name = self._info_bytes[0]
            final_info[name] = np.where(ended[:, None], self._bytes_of(final.info), 0).astype(np.uint8)
            final_info["_" + name] = ended
        return {"final_obs": obs, "_final_obs": ended, "final_info": final_info, "_final_info": ended}

    def _bytes_of(self, extra: np.ndarray) -> np.ndarray:
        """The info byte block of `Batch.info` rows, as a (rows, bytes) uint8 view."""
        assert self._info_bytes is not None
        _, first, size = self._info_bytes
        return extra[:, first:].view(np.uint8)[:, :size]

    def _seed_arrays(self, seed: int | list[int | None] | None) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(seeds, seeded) for a checked seed: None, None without one; else one uint64 per env
        and, when some entries are None, which envs are seeded."""
        if seed is None:
            return None, None
        if isinstance(seed, int):
            return np.uint64(seed) + np.arange(self.num_envs, dtype=np.uint64), None
        seeded = np.array([s is not None for s in seed])
        seeds = np.array([0 if s is None else s for s in seed], dtype=np.uint64)
        return seeds, None if seeded.all() else seeded

    def __repr__(self) -> str:
        mode = self.metadata["autoreset_mode"].name
        state = ", closed" if self.closed else ""
        return (
            f"fastpool.VectorEnv({self.env_id!r}, num_envs={self.num_envs}, batch_size={self.batch_size}, "
            f"num_threads={self.num_threads}, autoreset_mode={mode}{state})"
        )


def _is_int(x: Any) -> bool:
    if isinstance(x, np.ndarray) and x.ndim == 0:  # a 0-d array holds one number
        x = x[()]
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


class SetAttrNotSupported(AttributeError, ValueError):
    """set_attr() is refused (an AttributeError, as for an attribute that cannot be set; also a
    ValueError, which a wrong number of values raised before)."""


def set_attr_refused(name: Any, values: Any, num_envs: int) -> SetAttrNotSupported:
    """The error set_attr() raises: that it is not supported first, then what else was wrong."""
    message = f"fastpool envs are configured by fastpool.make(); {name!r} cannot be set (set_attr is not supported)"
    if isinstance(values, (list, tuple)) and len(values) != num_envs:
        message += f"; besides, values must have one entry per env ({num_envs}), got {len(values)}"
    return SetAttrNotSupported(message)


def check_attr_name(name: Any, table: dict[str, Any]) -> str:
    """`name` if the envs offer it (see VectorEnv.env_attributes), else a TypeError or
    AttributeError naming what they offer."""
    if not isinstance(name, str):
        raise TypeError(f"an attribute name must be a str, got {type(name).__name__} {name!r}")
    if name not in table:
        raise AttributeError(f"fastpool envs have no attribute {name!r}; they offer {sorted(table)}")
    return name


def check_no_arguments(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """The envs' methods (render, get_action_meanings) take no arguments."""
    if args or kwargs:
        raise TypeError(f"{name}() takes no arguments, got {len(args)} positional and {sorted(kwargs)} keyword")


def default_num_threads(num_envs: int) -> int:
    """The CPUs this process may run on (affinity-aware where the OS tells), at most num_envs."""
    try:
        cpus = len(os.sched_getaffinity(0))  # Linux
    except AttributeError:  # macOS, Windows
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, num_envs))


def check_seed(seed: Any, num_envs: int) -> int | list[int | None] | None:
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


def record_seeds(env_seeds: list[int], seed: int | list[int | None] | None, mask: np.ndarray | None) -> None:
    """Note in `env_seeds` the seeds a reset (of the envs in `mask`) applied: a checked seed,
    int (env i gets seed + i), list (None: kept) or None (no change)."""
    if seed is None:
        return
    for i in range(len(env_seeds)) if mask is None else np.flatnonzero(mask).tolist():
        s = seed + i if isinstance(seed, int) else seed[i]
        if s is not None:
            env_seeds[i] = s


def reset_mask(options: dict | None, num_envs: int) -> np.ndarray | None:
    """The reset_mask of reset options (None without one), checked as gymnasium 1.4 checks it.
    It stays in `options`: once the reset is under way, `take_reset_mask` takes it out, as
    gymnasium's vector envs do (so wrappers such as RecordEpisodeStatistics behave as they do over
    SyncVectorEnv), while a refused reset leaves the options as they were, for a retry."""
    if options is None:
        return None
    if not isinstance(options, dict):
        raise TypeError(f"options must be a dict or None, got {type(options).__name__}")
    unknown = sorted(set(options) - {"reset_mask"})
    if unknown:
        raise ValueError(f"unsupported reset options {unknown}: fastpool envs take only 'reset_mask'")
    if "reset_mask" not in options:
        return None
    mask = options["reset_mask"]
    if not isinstance(mask, np.ndarray) or mask.dtype != np.bool_:
        what = f"dtype {mask.dtype}" if isinstance(mask, np.ndarray) else type(mask).__name__
        raise TypeError(f"options['reset_mask'] must be a numpy array of dtype bool, got {what}")
    if mask.shape != (num_envs,):
        raise ValueError(f"options['reset_mask'] must have shape ({num_envs},), got {mask.shape}")
    if not mask.any():
        raise ValueError("options['reset_mask'] selects no env: at least one entry must be True")
    return mask


def take_reset_mask(options: dict | None) -> None:
    """Take the reset_mask out of reset options, once the reset they ask for is under way."""
    if options is not None:
        options.pop("reset_mask", None)


def valid_env_ids(env_ids: Any, num_envs: int) -> np.ndarray | None:
    """env_ids as int64 if they are a 1-d array-like of integers in [0, num_envs), else None
    (the engine then refuses them with its message)."""
    ids = np.asarray(env_ids)
    if ids.dtype == object:  # Python ints of any size, as the engine takes them
        items = ids.ravel().tolist()
        if not all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < num_envs for i in items):
            return None
        ids = ids.astype(np.int64)
    if ids.ndim != 1 or ids.dtype.kind not in "iu":
        return None
    if len(ids) and (ids.min() < 0 or ids.max() >= num_envs):
        return None
    return ids.astype(np.int64, copy=False)


def check_not_ended(ended: np.ndarray, env_ids: np.ndarray | None = None) -> None:
    """With autoreset disabled, stepping an env whose episode ended is an error. `ended`: one
    flag per env, or one per entry of `env_ids` (the envs a send() steps)."""
    if ended.any():
        which = np.flatnonzero(ended) if env_ids is None else np.unique(env_ids[ended])
        raise RuntimeError(
            f"env(s) {which.tolist()} ended their episodes and autoreset is disabled: "
            "reset them first, e.g. reset(options={'reset_mask': mask})"
        )
