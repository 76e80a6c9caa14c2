"""Scale past one machine on Ray: one fastpool pool per Ray actor, one VectorEnv for the driver.

    env = fastpool.make("Breakout", num_envs=1024, backend="ray", num_workers=8)

Worker j owns a contiguous block of global env ids and a local pool seeded so that global env i
uses the stream of seed + i, exactly as in a local pool: trajectories do not depend on how envs
are spread over workers. Batching stays inside each actor; observations travel as numpy arrays
through Ray's object store (read without a copy on the same node). Async mode batches whole
workers: `recv()` returns the first workers to answer.
"""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np
from gymnasium.vector import AutoresetMode
from gymnasium.vector.utils import batch_space

import fastpool

try:
    import ray
    from ray.exceptions import RayActorError
except ImportError as e:  # pragma: no cover - exercised only without the extra
    raise ImportError("backend='ray' needs Ray: pip install 'fastpool[ray]'") from e


class _Worker:
    """Runs in a Ray actor: a local pool for global env ids [first, first + num_envs)."""

    def __init__(self, env_id: str, num_envs: int, first: int, seed: int, num_threads: int, mode: str, options):
        self.first = first
        self.env = fastpool.make(
            env_id, num_envs=num_envs, seed=seed + first, num_threads=num_threads, autoreset_mode=mode, **options
        )

    def spaces(self):
        return self.env.single_observation_space, self.env.single_action_space, self.env.render_mode

    def reset(self, seed):
        obs, info = self.env.reset(seed=seed)
        return obs, None, None, None, self._global(info)

    def step(self, actions):
        obs, reward, terminated, truncated, info = self.env.step(actions)
        return obs, reward, terminated, truncated, self._global(info)

    def close(self) -> None:
        self.env.close()

    def _global(self, info: dict) -> dict:
        info = dict(info)
        info["env_id"] = info["env_id"] + self.first
        if "final_info" in info:
            info["final_info"] = dict(info["final_info"])
            ended = info["final_info"]["_env_id"]
            info["final_info"]["env_id"] = np.where(ended, info["final_info"]["env_id"] + self.first, 0)
        return info


class RayVectorEnv(gymnasium.vector.VectorEnv):
    """A fastpool pool spread over Ray actors (see `fastpool.make(..., backend="ray")`)."""

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
    ):
        if not 1 <= num_workers <= num_envs:
            raise ValueError(f"num_workers must be in [1, num_envs={num_envs}], got {num_workers}")
        sizes = [num_envs // num_workers + (j < num_envs % num_workers) for j in range(num_workers)]
        self.bounds = np.cumsum([0, *sizes])
        if batch_size not in (None, num_envs):
            if num_envs % num_workers or batch_size % sizes[0]:
                raise ValueError(
                    "with backend='ray', batch_size must be a multiple of the envs per worker "
                    f"({sizes[0]}), and num_envs a multiple of num_workers"
                )
        self.env_id, self.num_envs, self.seed_base = env_id, num_envs, seed
        self.batch_size = batch_size or num_envs
        self.num_workers = num_workers
        actor = ray.remote(num_cpus=threads_per_worker)(_Worker)
        mode = autoreset_mode.value
        self.workers = [
            actor.remote(env_id, sizes[j], int(self.bounds[j]), seed, threads_per_worker, mode, options)
            for j in range(num_workers)
        ]
        obs_space, act_space, _ = self._get([self.workers[0].spaces.remote()])[0]
        self.single_observation_space, self.single_action_space = obs_space, act_space
        self.observation_space = batch_space(obs_space, self.batch_size)
        self.action_space = batch_space(act_space, self.batch_size)
        self.metadata = {"autoreset_mode": autoreset_mode, "render_modes": []}
        self.render_mode = None
        self.closed = False
        self._pending: dict[Any, int] = {}  # in-flight step results -> worker index

    # -- sync -------------------------------------------------------------------

    def reset(self, *, seed=None, options=None):
        if options:
            raise ValueError(f"unsupported reset options: {sorted(options)}")
        self._check_open()
        seeds = [self._worker_seed(seed, j) for j in range(self.num_workers)]
        out = self._get([w.reset.remote(s) for w, s in zip(self.workers, seeds)])
        obs, _, _, _, info = _concat(out)
        return obs, info

    def step(self, actions):
        self._check_open()
        if self.batch_size != self.num_envs:
            raise RuntimeError("step() steps every env at once; with batch_size < num_envs use send()/recv()")
        actions = self._actions(actions, self.num_envs)
        refs = [w.step.remote(actions[self.bounds[j] : self.bounds[j + 1]]) for j, w in enumerate(self.workers)]
        return _concat(self._get(refs))

    # -- async: whole workers are the unit -------------------------------------------

    def async_reset(self, *, seed=None, options=None) -> None:
        if options:
            raise ValueError(f"unsupported reset options: {sorted(options)}")
        self._check_open()
        for j, w in enumerate(self.workers):
            self._pending[w.reset.remote(self._worker_seed(seed, j))] = j

    def send(self, actions, env_ids) -> None:
        """Step the workers owning `env_ids` (each worker's ids, complete, as recv() returned them)."""
        self._check_open()
        env_ids = np.asarray(env_ids)
        actions = self._actions(actions, len(env_ids))
        busy = set(self._pending.values())
        for j, w in enumerate(self.workers):
            mine = (env_ids >= self.bounds[j]) & (env_ids < self.bounds[j + 1])
            if not mine.any():
                continue
            if mine.sum() != self.bounds[j + 1] - self.bounds[j] or j in busy:
                raise ValueError(f"send() must cover all of worker {j}'s envs, which must not be in flight")
            order = np.argsort(env_ids[mine])
            self._pending[w.step.remote(actions[mine][order])] = j

    def recv(self):
        """The first workers to finish, batch_size envs in all."""
        self._check_open()
        need = self.batch_size // (self.bounds[1] - self.bounds[0])
        if len(self._pending) < need:
            raise RuntimeError(
                f"recv() would wait forever: {len(self._pending)} workers are in flight, a batch needs {need}"
            )
        ready, _ = ray.wait(list(self._pending), num_returns=need)
        out = self._get(ready)
        for ref in ready:
            del self._pending[ref]
        return _concat(out)

    # -- helpers ------------------------------------------------------------------

    def _worker_seed(self, seed, j: int):
        if seed is None:
            return None
        if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
            return int(seed) + int(self.bounds[j])  # global env i gets seed + i
        seeds = list(seed)
        if len(seeds) != self.num_envs:
            raise ValueError(f"seed list must have one entry per env ({self.num_envs}), got {len(seeds)}")
        return seeds[self.bounds[j] : self.bounds[j + 1]]

    @staticmethod
    def _actions(actions, n: int) -> np.ndarray:
        actions = np.asarray(actions)
        if actions.shape != (n,):
            raise ValueError(f"actions must have shape ({n},), got {actions.shape}")
        return actions

    def _get(self, refs):
        """ray.get, with a dead actor reported as the worker it was."""
        try:
            return ray.get(refs)
        except RayActorError as e:
            dead = [j for j, w in enumerate(self.workers) if not _alive(w)]
            raise RuntimeError(f"fastpool Ray worker(s) {dead or '?'} died: {e}") from e

    def _check_open(self) -> None:
        if self.closed:
            raise RuntimeError("the pool is closed")

    def close_extras(self, **kwargs: Any) -> None:
        for w in self.workers:
            try:
                ray.get(w.close.remote(), timeout=10)
            except Exception:
                pass
            ray.kill(w)
        self._pending.clear()

    def __repr__(self) -> str:
        return (
            f"fastpool.RayVectorEnv({self.env_id!r}, num_envs={self.num_envs}, "
            f"num_workers={self.num_workers}, batch_size={self.batch_size})"
        )


def _alive(worker) -> bool:
    try:
        ray.get(worker.spaces.remote(), timeout=5)
        return True
    except Exception:
        return False


def _concat(parts):
    """Join workers' (obs, reward, terminated, truncated, info) in worker order."""
    obs = np.concatenate([p[0] for p in parts])
    if parts[0][1] is None:  # resets
        return obs, None, None, None, _concat_info([p[4] for p in parts])
    cat = [np.concatenate([p[k] for p in parts]) for k in (1, 2, 3)]
    return obs, *cat, _concat_info([p[4] for p in parts])


def _concat_info(infos: list[dict]) -> dict:
    """Join per-worker info dicts; a key some workers lack (final_obs, ...) is filled as
    gymnasium would: None in object arrays, zeros and False masks elsewhere."""
    keys = dict.fromkeys(k for info in infos for k in info)
    sizes = [len(info["env_id"]) for info in infos]
    out: dict[str, Any] = {}
    for k in keys:
        template = next(info[k] for info in infos if k in info)
        parts = [info[k] if k in info else _empty_like(template, n) for info, n in zip(infos, sizes)]
        out[k] = _concat_info(parts) if isinstance(template, dict) else np.concatenate(parts)
    return out


def _empty_like(template, n: int):
    if isinstance(template, dict):
        return {k: _empty_like(v, n) for k, v in template.items()}
    if template.dtype == object:
        return np.full(n, None, dtype=object)
    return np.zeros((n, *template.shape[1:]), dtype=template.dtype)
