"""Scale past one machine on Ray: one fastpool pool per Ray actor, one VectorEnv for the driver.

    env = fastpool.make("Breakout", num_envs=1024, backend="ray", num_workers=8)

Worker j owns a contiguous block of global env ids and a local pool seeded so that global env i
uses the stream of seed + i, exactly as in a local pool: trajectories do not depend on how envs
are spread over workers. Batching stays inside each actor; observations travel as numpy arrays
through Ray's object store (read without a copy on the same node). Async mode batches whole
workers: `recv()` returns the first workers to answer.
"""

from __future__ import annotations

import warnings
from typing import Any, overload

import gymnasium
import numpy as np
import numpy.typing as npt
from gymnasium.vector import AutoresetMode
from gymnasium.vector.utils import batch_space

import fastpool
from fastpool.families import env_options, family_of
from fastpool.vector import (
    FixedSpaces,
    Unshareable,
    check_not_ended,
    check_seed,
    record_seeds,
    reset_mask,
    set_attr_refused,
    take_reset_mask,
)

try:
    import ray
    from ray.exceptions import RayActorError
except ImportError as e:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "backend='ray' needs Ray: pip install 'ray>=2.60,<3' "
        "(or fastpool's ray extra, from its clone: pip install '.[ray]')"
    ) from e


# Each part of a reply stays under Ray's inline limit (max_direct_call_object_size, 100 KiB by
# default), so results travel inside the task's answer instead of through the object store.
_PART_BYTES = 90 * 1024
_START_WARNING_S = 10.0  # workers still waiting for CPUs after this long: say so


class FrameStackCodec:
    """How observations travel from a worker to the driver, both halves in one place.

    Frame stacks (Atari, stack > 1) travel as their newest frame plus a flag per env telling
    whether the stack restarted (an episode began: its first frame fills the whole stack); the
    driver rebuilds the stacks from the ones it rebuilt last, so a step moves a quarter of the
    bytes with 4 frames. With stack 1 observations travel whole and no flags go with them.

    Each side keeps one codec per batch of envs: the worker's encodes (it knows which episodes
    ended at the last step), the driver's decodes (it keeps the last stacks).
    """

    def __init__(self, stack: int, num_envs: int, mode: AutoresetMode) -> None:
        self.stack, self.mode = stack, mode
        self.ended = np.zeros(num_envs, dtype=bool)  # the worker's: episodes ended at the last step
        self.last: Any = None  # the driver's: the stacks it rebuilt last (none before the first reset)

    # -- the worker's half ----------------------------------------------------------

    def encode_reset(self, obs: np.ndarray, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
        """(frames, restarted) after a reset of the envs in `mask` (None: all)."""
        restarted = np.ones(len(obs), dtype=bool) if mask is None else mask
        self.ended[restarted] = False
        return self._encode(obs, restarted)

    def encode_step(
        self, obs: np.ndarray, terminated: np.ndarray, truncated: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """(frames, restarted) after a step."""
        ended = terminated | truncated
        # NEXT_STEP: the step after an episode's end returns the next one's first obs; SAME_STEP: this
        # one; DISABLED: none (the caller resets)
        restarted = {
            AutoresetMode.NEXT_STEP: self.ended,
            AutoresetMode.SAME_STEP: ended,
            AutoresetMode.DISABLED: np.zeros_like(ended),
        }[self.mode]
        self.ended = ended
        return self._encode(obs, restarted)

    def _encode(self, obs: np.ndarray, restarted: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        if self.stack == 1:
            return obs, None
        return obs[:, -obs.shape[1] // self.stack :], restarted  # the newest frame

    # -- the driver's half ----------------------------------------------------------

    def decode(self, frames: np.ndarray, restarted: np.ndarray | None, kept: np.ndarray | None) -> np.ndarray:
        """The observations: the stacks of the last result shifted by one frame, the new frame
        last; a restarted stack is its first frame repeated; a kept one (envs a partial reset
        left alone) as it was."""
        if self.stack == 1 or restarted is None:
            return frames
        c = frames.shape[1]
        obs = np.empty((len(frames), c * self.stack, *frames.shape[2:]), dtype=frames.dtype)
        if not restarted.any():  # the common case: plain slices, no gathers
            obs[:, :-c] = self.last[:, c:]
            obs[:, -c:] = frames
        else:
            go_on = ~restarted
            if go_on.any():
                obs[go_on, :-c] = self.last[go_on, c:]
                obs[go_on, -c:] = frames[go_on]
            obs[restarted] = np.tile(frames[restarted], (1, self.stack, 1, 1))
        if kept is not None:
            obs[kept] = self.last[kept]
        self.last = obs  # RayVectorEnv's _concat copies: its caller never holds this array
        return obs


class _Worker:
    """Runs in a Ray actor: one local pool per batch of its envs, batch k holding global env ids
    [lo, hi) and seeded so that env i uses the stream of seed + i, as in one local pool.

    A reply is a head (restarted flags, kept envs, rewards, info) and the frames that
    FrameStackCodec encodes, cut into parts of `rows` envs."""

    def __init__(
        self,
        env_id: str,
        ranges: list[tuple[int, int]],
        seed: int,
        num_threads: int,
        mode: str,
        stack: int,
        options: dict[str, Any],
        episode_statistics: bool = False,
    ) -> None:
        self.firsts = [lo for lo, _ in ranges]
        self.pools = [
            fastpool.make(
                env_id,
                num_envs=hi - lo,
                seed=seed + lo,
                num_threads=min(num_threads, hi - lo),
                autoreset_mode=mode,
                episode_statistics=episode_statistics,  # each pool counts its own envs' episodes
                **options,
            )
            for lo, hi in ranges
        ]
        self.codecs = [FrameStackCodec(stack, hi - lo, AutoresetMode(mode)) for lo, hi in ranges]
        space = self.pools[0].single_observation_space
        frame_bytes = int(np.prod(space.shape or ())) * np.dtype(space.dtype).itemsize
        self.rows = max(1, _PART_BYTES * stack // frame_bytes)

    def spaces(self) -> tuple[gymnasium.spaces.Space, gymnasium.spaces.Space, int]:
        return self.pools[0].single_observation_space, self.pools[0].single_action_space, self.rows

    def reset(self, k: int, arg: tuple[int | list[int | None] | None, np.ndarray | None]) -> tuple[Any, ...]:
        """Reset batch k: arg is (seed, mask); with a mask (maybe selecting none of this
        batch) only those envs, the others kept as they are."""
        seed, mask = arg
        obs, info = self.pools[k].sync_reset(seed, mask)
        n, no = len(obs), np.zeros(len(obs), dtype=bool)
        frames, restarted = self.codecs[k].encode_reset(obs, mask)
        kept = None if mask is None else ~mask
        return self._reply(frames, restarted, kept, np.zeros(n), no, no, self._global(k, info))

    def step(self, k: int, actions: np.ndarray) -> tuple[Any, ...]:
        obs, reward, terminated, truncated, info = self.pools[k].step(actions)
        frames, restarted = self.codecs[k].encode_step(obs, terminated, truncated)
        return self._reply(frames, restarted, None, reward, terminated, truncated, self._global(k, info))

    def call(self, k: int, arg: tuple[str, tuple[Any, ...], dict[str, Any]]) -> tuple[Any, ...]:
        name, args, kwargs = arg
        return self.pools[k].call(name, *args, **kwargs)

    def _reply(
        self, frames: np.ndarray, restarted: np.ndarray | None, kept: np.ndarray | None, *rest: Any
    ) -> tuple[Any, ...]:
        """kept (partial resets): envs whose stacks stay as the driver has them."""
        parts = [np.ascontiguousarray(frames[i : i + self.rows]) for i in range(0, len(frames), self.rows)]
        return ((restarted, kept, *rest), *parts)

    def close(self) -> None:
        for pool in self.pools:
            pool.close()

    def _global(self, k: int, info: dict) -> dict:
        first = self.firsts[k]
        info = dict(info)
        info["env_id"] = np.where(info["_env_id"], info["env_id"] + first, 0)
        if "final_info" in info:
            info["final_info"] = dict(info["final_info"])
            ended = info["final_info"]["_env_id"]
            info["final_info"]["env_id"] = np.where(ended, info["final_info"]["env_id"] + first, 0)
        return info


class RayVectorEnv(Unshareable, FixedSpaces, gymnasium.vector.VectorEnv):
    """A fastpool pool spread over Ray actors (see `fastpool.make(..., backend="ray")`).

    The unit of work is a *batch*: a contiguous block of one worker's envs, one Ray call. In sync
    mode a worker's envs are one batch. In async mode (batch_size < num_envs) a batch has
    min(batch_size, envs per worker) envs, so a worker may hold several batches in flight and
    steps them one after another: while one batch's results travel, it steps the next.
    """

    def __init__(
        self,
        env_id: str,
        num_envs: int,
        num_workers: int,
        seed: int,
        threads_per_worker: int,
        autoreset_mode: AutoresetMode,
        batch_size: int | None,
        options: dict[str, Any],
        episode_statistics: bool = False,
    ) -> None:
        if not 1 <= num_workers <= num_envs:
            raise ValueError(f"num_workers must be in [1, num_envs={num_envs}], got {num_workers}")
        sizes = [num_envs // num_workers + (j < num_envs % num_workers) for j in range(num_workers)]
        batch_size = batch_size or num_envs
        per_call = sizes  # envs per Ray call, per worker
        if batch_size != num_envs:  # async: every Ray call carries the same number of envs
            per = sizes[0]
            if num_envs % num_workers or (batch_size % per if batch_size >= per else per % batch_size):
                raise ValueError(
                    "with backend='ray', num_envs must be a multiple of num_workers and batch_size a "
                    f"multiple or a divisor of the envs per worker ({per}), got batch_size={batch_size}"
                )
            per_call = [min(per, batch_size)] * num_workers
        # batches[b] = (worker, lo, hi), worker-major, so global env ids ascend with b
        self.batches: list[tuple[int, int, int]] = []
        self._slot: list[int] = []  # batch b is pool _slot[b] of its worker
        for j, (first, n) in enumerate(zip(np.cumsum([0, *sizes[:-1]]), sizes)):
            for k, lo in enumerate(range(int(first), int(first) + n, per_call[j])):
                self.batches.append((j, lo, lo + per_call[j]))
                self._slot.append(k)
        self.env_id, self.num_envs, self.seed_base = env_id, num_envs, seed
        self.batch_size, self.num_workers = batch_size, num_workers
        self.closed = False
        self.workers: list[Any] = []  # Ray actor handles
        self._pending: dict[Any, tuple[int, list]] = {}  # in flight: head ref -> (batch, refs)
        self._broken = False  # a fetch failed: results were lost, reset() must come next
        # SPREAD: workers go to different nodes where they fit, one pool per node
        actor = ray.remote(num_cpus=threads_per_worker, scheduling_strategy="SPREAD")(_Worker)
        mode = autoreset_mode.value
        self.stack = family_of(env_id).frame_stack(env_options(env_id, options))
        self._codecs = [FrameStackCodec(self.stack, hi - lo, autoreset_mode) for _, lo, hi in self.batches]
        ranges = [[(lo, hi) for w, lo, hi in self.batches if w == j] for j in range(num_workers)]
        self.workers = [
            actor.remote(env_id, r, seed, threads_per_worker, mode, self.stack, options, episode_statistics)
            for r in ranges
        ]
        try:
            obs_space, act_space, rows = self._started(threads_per_worker)
        except BaseException:
            for w in self.workers:
                ray.kill(w)
            self.workers, self.closed = [], True
            raise
        self._returns = [1 + -(-(hi - lo) // rows) for _, lo, hi in self.batches]  # head + parts
        self.single_observation_space, self.single_action_space = obs_space, act_space
        self.observation_space = batch_space(obs_space, self.batch_size)
        self.action_space = batch_space(act_space, self.batch_size)
        self.metadata = {"autoreset_mode": autoreset_mode, "render_modes": []}
        self.render_mode = None
        self._env_seeds = [seed + i for i in range(num_envs)]
        self._ended = np.zeros(num_envs, dtype=bool) if autoreset_mode is AutoresetMode.DISABLED else None

    @property
    def np_random_seed(self) -> tuple[int, ...]:  # type: ignore[override]  # as SyncVectorEnv's
        """Each env's seed, as a local pool reports it."""
        return tuple(self._env_seeds)

    def call(self, name: str, *args: Any, **kwargs: Any) -> tuple[Any, ...]:
        """As a local pool's call(), each worker answering for its envs (see VectorEnv.call)."""
        if not isinstance(name, str):  # checked here, as a local pool checks it
            raise TypeError(f"an attribute name must be a str, got {type(name).__name__} {name!r}")
        self._check_idle()
        arg = (name, args, kwargs)
        refs = [self.workers[w].call.remote(self._slot[b], arg) for b, (w, _, _) in enumerate(self.batches)]
        return tuple(v for part in self._get(refs) for v in part)

    def get_attr(self, name: str) -> tuple[Any, ...]:
        return self.call(name)

    def set_attr(self, name: str, values: Any) -> None:
        raise set_attr_refused(name, values, self.num_envs)

    # -- sync -------------------------------------------------------------------

    def reset(
        self, *, seed: int | list[int | None] | None = None, options: dict | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """As a local pool's reset(), a reset_mask included."""
        seed = check_seed(seed, self.num_envs)  # everything is checked before anything changes
        mask = reset_mask(options, self.num_envs)
        if self.batch_size != self.num_envs:  # as a local pool: the first batch_size envs to answer
            if mask is not None and mask.sum() < self.batch_size:
                raise ValueError(f"reset_mask selects {int(mask.sum())} envs, fewer than batch_size={self.batch_size}")
            self._async_reset(seed, mask, options)
            obs, *_, info = self.recv()
            return obs, info
        self._check_idle(resetting=True)
        self._broken = False
        calls = [
            (b, self._call(b, "reset", (self._batch_seed(seed, b), None if mask is None else mask[lo:hi])))
            for b, (_, lo, hi) in enumerate(self.batches)
        ]
        take_reset_mask(options)  # sent: it leaves the options now, as in gymnasium
        obs, _, _, _, info = _concat(self._fetch(calls))
        record_seeds(self._env_seeds, seed, mask)
        return obs, info

    def step(self, actions: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        self._check_idle()
        if self.batch_size != self.num_envs:
            raise RuntimeError("step() steps every env at once; with batch_size < num_envs use send()/recv()")
        if self._ended is not None:
            check_not_ended(self._ended)
        actions = self._actions(actions, self.num_envs)
        calls = [(b, self._call(b, "step", actions[lo:hi])) for b, (_, lo, hi) in enumerate(self.batches)]
        return _concat(self._fetch(calls))

    # -- async: whole batches are the unit -----------------------------------------

    def async_reset(self, *, seed: int | list[int | None] | None = None, options: dict | None = None) -> None:
        """Queue a reset of every env, or with a reset_mask of the masked ones, which must be
        whole batches (one Ray call's envs: async results come back a batch at a time)."""
        seed = check_seed(seed, self.num_envs)
        self._async_reset(seed, reset_mask(options, self.num_envs), options)

    def _async_reset(
        self, seed: int | list[int | None] | None, mask: np.ndarray | None, options: dict | None = None
    ) -> None:
        self._check_idle(resetting=True)
        seed = check_seed(seed, self.num_envs)
        todo = list(range(len(self.batches)))
        if mask is not None:
            todo = [b for b, (_, lo, hi) in enumerate(self.batches) if mask[lo:hi].any()]
            if any(not mask[lo:hi].all() for _, lo, hi in (self.batches[b] for b in todo)):
                sizes = sorted({hi - lo for _, lo, hi in self.batches})
                raise ValueError(
                    "with backend='ray' in async mode a reset_mask must select whole batches of "
                    f"{sizes[0]} envs (one Ray call's envs)"
                )
        self._broken = False
        for b in todo:
            self._track(b, self._call(b, "reset", (self._batch_seed(seed, b), None)))
        take_reset_mask(options)
        record_seeds(self._env_seeds, seed, mask)

    def send(self, actions: npt.ArrayLike, env_ids: npt.ArrayLike | None = None) -> None:
        """Step the batches holding `env_ids` (default: all envs); each batch complete, as
        recv() returned it, and not in flight."""
        self._check_open()
        self._check_sound()
        env_ids = np.arange(self.num_envs) if env_ids is None else np.asarray(env_ids)
        if env_ids.ndim != 1:
            raise ValueError("env_ids must be a 1-d array of integers")
        actions = self._actions(actions, len(env_ids))
        if env_ids.shape[:1] != actions.shape[:1] or not np.issubdtype(env_ids.dtype, np.integer):
            raise ValueError(f"env_ids must be {len(actions)} integers, one per action")
        if len(env_ids) and (env_ids.min() < 0 or env_ids.max() >= self.num_envs):
            raise ValueError(f"env_ids must be in [0, {self.num_envs})")
        if len(np.unique(env_ids)) != len(env_ids):
            raise ValueError("env_ids must not repeat")
        if self._ended is not None:
            check_not_ended(self._ended[env_ids], env_ids)
        busy = {b for b, _ in self._pending.values()}
        todo = []  # checked first, sent after: a bad send() sends nothing
        for b, (_, lo, hi) in enumerate(self.batches):
            mine = (env_ids >= lo) & (env_ids < hi)
            if not mine.any():
                continue
            if mine.sum() != hi - lo or b in busy:
                raise ValueError(
                    f"send() must cover all of envs {lo}..{hi - 1} (one Ray call's batch), none of them in flight"
                )
            todo.append((b, actions[mine][np.argsort(env_ids[mine])]))
        for b, batch_actions in todo:
            self._track(b, self._call(b, "step", batch_actions))

    def recv(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """The first batches to finish, batch_size envs in all, in env id order."""
        self._check_open()
        self._check_sound()
        _, lo, hi = self.batches[0]  # async batches are all this size
        need = len(self.batches) if self.batch_size == self.num_envs else self.batch_size // (hi - lo)
        if len(self._pending) < need:
            raise RuntimeError(
                f"recv() would wait forever: {len(self._pending)} batches are in flight, a result needs {need}"
            )
        ready, _ = ray.wait(list(self._pending), num_returns=need)
        calls = sorted(self._pending.pop(ref) for ref in ready)  # in env id order
        return _concat(self._fetch(calls))

    # -- helpers ------------------------------------------------------------------

    def _started(self, threads: int) -> tuple[gymnasium.spaces.Space, gymnasium.spaces.Space, int]:
        """Wait until every worker runs; a worker waits for free CPUs (an autoscaler may add nodes),
        and one still waiting after _START_WARNING_S is reported with the CPUs it needs."""
        refs = [w.spaces.remote() for w in self.workers]
        _, waiting = ray.wait(refs, num_returns=len(refs), timeout=_START_WARNING_S)
        if waiting:
            cpus, free = ray.cluster_resources().get("CPU", 0), ray.available_resources().get("CPU", 0)
            warnings.warn(
                f"{len(waiting)} of {len(refs)} fastpool Ray workers are waiting for CPUs: each needs "
                f"{threads}, the cluster has {cpus:g} ({free:g} free); still waiting",
                RuntimeWarning,
                stacklevel=4,
            )
        return self._get(refs)[0]

    def _call(self, b: int, method: str, arg: Any) -> list:
        worker = self.workers[self.batches[b][0]]
        return getattr(worker, method).options(num_returns=self._returns[b]).remote(self._slot[b], arg)

    def _track(self, b: int, refs: list) -> None:
        self._pending[refs[0]] = (b, refs)

    def _fetch(self, calls: list[tuple[int, list]]) -> list:
        """The results of (batch, refs) calls, in that order, with whole observations."""
        try:
            values = self._get([ref for _, refs in calls for ref in refs])
        except BaseException:
            # Some workers may have stepped, their results lost: only a reset makes envs,
            # frame stacks and pending results agree again.
            self._pending.clear()
            self._broken = True
            raise
        out, i = [], 0
        for b, refs in calls:
            out.append(self._unpack(b, values[i], values[i + 1 : i + len(refs)]))
            i += len(refs)
        return out

    def _unpack(
        self, b: int, head: tuple[Any, ...], parts: list[np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """(obs, reward, terminated, truncated, info) of batch b, its frames decoded."""
        restarted, kept, *rest = head
        if self._ended is not None:
            _, lo, hi = self.batches[b]
            ended = rest[1] | rest[2]
            self._ended[lo:hi] = ended if kept is None else np.where(kept, self._ended[lo:hi], ended)
        frames = parts[0] if len(parts) == 1 else np.concatenate(parts)
        return (self._codecs[b].decode(frames, restarted, kept), *rest)

    def _batch_seed(self, seed: int | list | None, b: int) -> int | list[int | None] | None:
        """Batch b's part of a checked seed: global env i gets seed + i, or the list's entry i."""
        if seed is None:
            return None
        _, lo, hi = self.batches[b]
        return seed + lo if isinstance(seed, int) else seed[lo:hi]

    def _actions(self, actions: npt.ArrayLike, n: int) -> np.ndarray:
        """Checked here, before any worker steps, so a bad action leaves every env unstepped."""
        actions = np.asarray(actions)
        space = self.single_action_space
        if isinstance(space, gymnasium.spaces.Box):  # float actions, as a local pool takes them
            if actions.shape != (n, *space.shape):
                raise ValueError(f"actions must have shape {(n, *space.shape)}, got {actions.shape}")
            if actions.dtype == bool or not np.issubdtype(actions.dtype, np.number):
                raise TypeError(f"actions must be real numbers, got dtype {actions.dtype}")
            bad = np.flatnonzero(~np.isfinite(actions).all(axis=tuple(range(1, actions.ndim))))
            if len(bad):
                raise ValueError(f"action {actions[bad[0]]} for env {bad[0]} is not finite")
            if actions.dtype.itemsize > 4 and actions.dtype.kind == "f":
                # finite beyond float32's range (1e39): the env clips it, as gymnasium's does, so it
                # becomes the largest float32 rather than inf (the engine's cast does the same)
                limit = float(np.finfo(np.float32).max)
                return np.clip(actions, -limit, limit).astype(np.float32)
            return actions.astype(np.float32)
        if actions.shape != (n,):
            raise ValueError(f"actions must have shape ({n},), got {actions.shape}")
        if actions.dtype == bool or not np.issubdtype(actions.dtype, np.integer):
            raise TypeError(f"actions must be integers, got dtype {actions.dtype}")
        num = getattr(space, "n", 0)
        bad = np.flatnonzero((actions < 0) | (actions >= num))
        if len(bad):
            raise ValueError(f"action {actions[bad[0]]} is out of range [0, {num})")
        return actions

    def _get(self, refs: list[ray.ObjectRef[Any]]) -> list[Any]:
        """ray.get, with a dead actor reported as the worker it was."""
        try:
            return ray.get(refs)
        except RayActorError as e:
            dead = [j for j, w in enumerate(self.workers) if not _alive(w)]
            raise RuntimeError(f"fastpool Ray worker(s) {dead or '?'} died: {e}") from e

    def _check_open(self) -> None:
        if self.closed:
            raise RuntimeError("the pool is closed")

    def _check_sound(self) -> None:
        if self._broken:
            raise RuntimeError("a step failed and its results were lost: call reset() before stepping again")

    def _check_idle(self, resetting: bool = False) -> None:
        """As a local pool: no reset or sync step while results are still to be received."""
        self._check_open()
        if not resetting:
            self._check_sound()
        if self._pending:
            n = sum(self.batches[b][2] - self.batches[b][1] for b, _ in self._pending.values())
            raise RuntimeError(f"{n} envs were sent and their results not yet received: call recv() first")

    def close_extras(self, **kwargs: Any) -> None:
        if not ray.is_initialized():  # the cluster (and every actor) is already gone
            return
        for w in getattr(self, "workers", []):  # none if __init__ failed early
            try:
                ray.get(w.close.remote(), timeout=10)
            except Exception:
                pass
            ray.kill(w)
        self._pending.clear()

    def __len__(self) -> int:
        """The number of envs, `num_envs`, as a local pool's `len(env)`."""
        return self.num_envs

    def __repr__(self) -> str:
        return (
            f"fastpool.RayVectorEnv({self.env_id!r}, num_envs={self.num_envs}, num_workers={self.num_workers}, "
            f"batch_size={self.batch_size})"
        )


def _alive(worker: Any) -> bool:
    try:
        ray.get(worker.spaces.remote(), timeout=5)
        return True
    except Exception:
        return False


def _concat(
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
    """Join batches' (obs, reward, terminated, truncated, info) in the order given."""
    cat: list[Any] = [np.concatenate([p[k] for p in parts]) for k in range(4)]
    return *cat, _concat_info([p[4] for p in parts])


def _concat_info(infos: list[dict], sizes: list[int] | None = None) -> dict:
    """Join per-worker info dicts; a key some workers lack (final_obs, episode, ...) is filled
    as gymnasium would: None in object arrays, zeros and False masks elsewhere. `sizes`: each
    part's rows (for nested dicts, which may hold no env_id)."""
    keys = dict.fromkeys(k for info in infos for k in info)
    if sizes is None:
        sizes = [len(info["env_id"]) for info in infos]
    out: dict[str, Any] = {}
    for k in keys:
        template = next(info[k] for info in infos if k in info)
        parts = [info[k] if k in info else _empty_like(template, n) for info, n in zip(infos, sizes)]
        out[k] = _concat_info(parts, sizes) if isinstance(template, dict) else np.concatenate(parts)
    return out


@overload
def _empty_like(template: dict[str, Any], n: int) -> dict[str, Any]: ...


@overload
def _empty_like(template: np.ndarray, n: int) -> np.ndarray: ...


def _empty_like(template: dict[str, Any] | np.ndarray, n: int) -> dict[str, Any] | np.ndarray:
    if isinstance(template, dict):
        return {k: _empty_like(v, n) for k, v in template.items()}
    if template.dtype == object:
        return np.full(n, None, dtype=object)
    return np.zeros((n, *template.shape[1:]), dtype=template.dtype)
