"""fastpool: many RL environments stepped by a C++ thread pool, behind the gymnasium vector API.

import fastpool
env = fastpool.make("CartPole-v1", num_envs=1024, seed=0)
obs, info = env.reset()
obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
"""

from __future__ import annotations

import atexit
import os
import secrets
from typing import TYPE_CHECKING, Any, Literal, overload

from gymnasium.vector import AutoresetMode

from fastpool import _core
from fastpool.episodes import check_episode_statistics
from fastpool.families import FAMILIES
from fastpool.families import int_in as _int_in
from fastpool.registry import list_envs, resolve
from fastpool.vector import VectorEnv, check_seed, default_num_threads

if TYPE_CHECKING:  # the Ray backend imports ray, which `import fastpool` must not
    from fastpool.ray_backend import RayVectorEnv
    from fastpool.sb3 import FastpoolVecEnv

__all__ = ["VectorEnv", "list_envs", "make"]
__version__ = "0.1.0"

_MAX_ENVS = 1 << 20
_MAX_THREADS = 1024  # far above any machine's cores; the OS may allow fewer (a clear error then)


# The backend decides the type, so IDEs and type checkers see the right one.
@overload
def make(
    env_id: str,
    num_envs: int = 1,
    *,
    seed: int | None = None,
    num_threads: int | None = None,
    batch_size: int | None = None,
    autoreset_mode: AutoresetMode | str = AutoresetMode.NEXT_STEP,
    backend: Literal["local"] = "local",
    num_workers: int = 1,
    info_keys: str = "all",
    render_mode: str | None = None,
    episode_statistics: bool = False,
    **env_options: Any,
) -> VectorEnv: ...


@overload
def make(
    env_id: str,
    num_envs: int = 1,
    *,
    seed: int | None = None,
    num_threads: int | None = None,
    batch_size: int | None = None,
    autoreset_mode: AutoresetMode | str = AutoresetMode.NEXT_STEP,
    backend: Literal["ray"],
    num_workers: int = 1,
    info_keys: str = "all",
    render_mode: str | None = None,
    episode_statistics: bool = False,
    **env_options: Any,
) -> RayVectorEnv: ...


@overload
def make(
    env_id: str,
    num_envs: int = 1,
    *,
    seed: int | None = None,
    num_threads: int | None = None,
    batch_size: int | None = None,
    autoreset_mode: AutoresetMode | str = AutoresetMode.NEXT_STEP,
    backend: str = "local",
    num_workers: int = 1,
    info_keys: str = "all",
    render_mode: str | None = None,
    episode_statistics: bool = False,
    **env_options: Any,
) -> VectorEnv | RayVectorEnv: ...


def make(
    env_id: str,
    num_envs: int = 1,
    *,
    seed: int | None = None,
    num_threads: int | None = None,
    batch_size: int | None = None,
    autoreset_mode: AutoresetMode | str = AutoresetMode.NEXT_STEP,
    backend: str = "local",
    num_workers: int = 1,
    info_keys: str = "all",
    render_mode: str | None = None,
    episode_statistics: bool = False,
    **env_options: Any,
) -> VectorEnv | RayVectorEnv:
    """Make a pool of `num_envs` copies of `env_id` as a gymnasium vector env.

    Args:
        env_id: an id from `fastpool.list_envs()`, e.g. "CartPole-v1".
        num_envs: how many envs the pool holds.
        seed: env i's random stream is seeded with `seed + i`, the seed gymnasium's
            `gym.make(env_id).reset(seed=seed + i)` would use, so a seed reproduces the
            same trajectories for any `num_threads`. None draws a random seed
            (kept in `env.seed_base`).
        num_threads: C++ worker threads; default the CPUs this process may use,
            at most num_envs.
        batch_size: results per `recv()`; default num_envs (sync). Smaller values
            give EnvPool-style async stepping with `send`/`recv`.
        autoreset_mode: gymnasium's NEXT_STEP (default: the step after an episode end
            returns the first obs of the next one, reward 0, the action ignored),
            SAME_STEP (the reset happens in the ending step; the last obs is in
            `info["final_obs"]`) or DISABLED (nothing resets by itself: reset ended envs
            with `reset(options={"reset_mask": mask})`; stepping one first is an error).
        backend: "local" (this process) or "ray": `num_workers` Ray actors each own a pool
            of num_envs / num_workers envs with `num_threads` threads (see fastpool.ray_backend).
        num_workers: with backend="ray", how many Ray actors hold the envs (1 to num_envs).
        info_keys: "all" (default): the info dict holds `env_id`, `elapsed_step` and every
            field the env reports (Atari: lives, episode_frame_number, frame_number, game_over,
            score, game_step). "gymnasium": exactly the keys and dtypes gymnasium's vector envs
            give over the reference env (CartPole: none; Atari: ale-py's lives,
            episode_frame_number, frame_number as int64), so infos compare equal to theirs.
        render_mode: None or "rgb_array"; envs that can render (Atari) always offer
            "rgb_array" (`env.render()`), so this only checks that the env can.
        episode_statistics: False (default) or True: each step where episodes ended adds
            `info["episode"]` (`"r"` float64 returns, `"l"` int64 lengths, `"t"` float64 seconds,
            one entry per env, 0 where none ended) and its mask `info["_episode"]`, as gymnasium's
            `gymnasium.wrappers.vector.RecordEpisodeStatistics` writes them, in every autoreset
            mode and for `recv()` results too. Atari: whole games, even with `episodic_life` and
            `reward_clip` on: the unclipped score and the agent steps across lives, at game over
            or truncation. Classic control: each episode's summed reward and its steps. Leave it
            off under that wrapper, which refuses infos that already hold `"episode"`.
        **env_options: per-env options, e.g. `max_episode_steps` (CartPole: 500).
    """
    entry = resolve(env_id)
    num_envs = _int_in("num_envs", num_envs, 1, _MAX_ENVS)
    if num_threads is None:
        threads = default_num_threads(num_envs)
    else:
        threads = _int_in("num_threads", num_threads, 1, _MAX_THREADS)
    batch = num_envs if batch_size is None else _int_in("batch_size", batch_size, 1, num_envs)
    mode = _autoreset_mode(autoreset_mode)
    if info_keys not in ("all", "gymnasium"):
        raise ValueError(f"info_keys must be 'all' or 'gymnasium', got {info_keys!r}")
    stats = check_episode_statistics(episode_statistics)
    if seed is None:
        seed = secrets.randbits(32)
    checked = check_seed(seed, num_envs)
    if not isinstance(checked, int):
        raise TypeError(f"seed must be an int or None, got {type(checked).__name__}")
    seed = checked

    options = {**entry.defaults, **env_options}
    unknown = set(options) - set(entry.defaults)
    if unknown:
        raise TypeError(f"{entry.env_id} has no option(s) {sorted(unknown)}; it accepts {sorted(entry.defaults)}")
    family = FAMILIES[entry.family]
    if render_mode is not None and render_mode not in family.render_modes:
        modes = list(family.render_modes)
        raise ValueError(f"{entry.env_id} supports render_mode None or {modes}, got {render_mode!r}")
    options = family.options(options, env_options)
    if backend == "ray":
        if info_keys != "all":
            raise ValueError("backend='ray' supports info_keys='all' only")
        if render_mode is not None:
            raise ValueError(f"backend='ray' supports render_mode None only, got {render_mode!r}")
        from fastpool.ray_backend import RayVectorEnv

        workers = _int_in("num_workers", num_workers, 1, num_envs)
        per_worker = 1 if num_threads is None else threads
        return RayVectorEnv(
            entry.env_id, num_envs, workers, seed, per_worker, mode, batch_size, env_options, episode_statistics=stats
        )
    if backend != "local":
        raise ValueError(f"backend must be 'local' or 'ray', got {backend!r}")
    family.check_options(options)  # bounds first: the memory estimate reads them
    need = _check_memory(entry.env_id, family, options, num_envs, batch)
    pool = {
        "num_envs": num_envs,
        "num_threads": threads,
        "batch_size": batch,
        "autoreset": _core.Autoreset.__members__[mode.name],
        "seed": seed,
        "memory_bytes": need,
    }
    core, obs_space = family.build(entry, options, pool)
    gym_info = entry.gymnasium_info if info_keys == "gymnasium" else None
    return VectorEnv(entry.env_id, core, obs_space, mode, seed, gym_info, episode_statistics=stats)


def _check_memory(env_id: str, family: Any, options: dict[str, Any], num_envs: int, batch: int) -> int:
    """Refuse, before allocating anything, a pool that needs more memory than the machine has or
    than the address-space limit (`ulimit -v`, RLIMIT_AS) leaves this process; the bytes needed.
    (Threads that find no room are the engine's to refuse: it names num_threads.)"""
    need = family.memory(options, num_envs, batch)
    what = f"{num_envs} {env_id} envs need about {_size(need)} ({need / num_envs / 2**10:.1f} KiB each)"
    total = _physical_memory()
    if total and need > total:
        raise MemoryError(f"{what}; this machine has {_size(total)}")
    left = _address_space_left()
    if left is not None and need > left:
        raise MemoryError(f"{what}; the address-space limit (ulimit -v, RLIMIT_AS) leaves this process {_size(left)}")
    return need


def _size(n: float) -> str:
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.1f} MiB"


def _physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not POSIX: no check
        return None


def _address_space_left() -> int | None:
    """What RLIMIT_AS leaves this process (its limit less its present size), None without a limit."""
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
        if limit == resource.RLIM_INFINITY:
            return None
        with open("/proc/self/statm") as f:
            used = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (ImportError, OSError, ValueError, AttributeError):  # not Linux: no check
        return None
    return max(0, limit - used)


def _autoreset_mode(mode: AutoresetMode | str) -> AutoresetMode:
    if isinstance(mode, AutoresetMode):
        return mode
    if isinstance(mode, str):  # "next_step", "NEXT_STEP" or gymnasium's value "NextStep"
        found = AutoresetMode.__members__.get(mode.upper()) or {m.value: m for m in AutoresetMode}.get(mode)
        if found is not None:
            return found
    raise ValueError(f"autoreset_mode must be NEXT_STEP, SAME_STEP or DISABLED, got {mode!r}")


def make_sb3(env_id: str, n_envs: int = 1, seed: int | None = None, **options: Any) -> FastpoolVecEnv:
    """A pool as a Stable-Baselines3 VecEnv (needs the `sb3` extra); see `fastpool.sb3.make_sb3`."""
    from fastpool.sb3 import make_sb3 as _make_sb3

    return _make_sb3(env_id, n_envs=n_envs, seed=seed, **options)


def _register_with_gymnasium() -> None:
    """`gym.make_vec("fastpool/CartPole-v1", num_envs=...)` builds a fastpool pool, which is how
    libraries that vectorize through gymnasium (RLlib's VECTOR_ENTRY_POINT mode) pick it up;
    `gym.make("fastpool/CartPole-v1")` builds one env (`fastpool.single.FastpoolEnv`), so the
    "sync" and "async" modes of `make_vec` work too."""
    import gymnasium

    for name in list_envs():  # versioned ids only: gymnasium refuses both Name and Name-v5
        if "/" not in name and "-v" in name and f"fastpool/{name}" not in gymnasium.registry:
            # gymnasium.make reads the render modes of the entry point's class before building it
            renders = bool(FAMILIES[resolve(name).family].render_modes)
            gymnasium.register(
                f"fastpool/{name}",
                entry_point="fastpool.single:FastpoolEnv" if renders else "fastpool.single:FastpoolEnvNoRender",
                vector_entry_point="fastpool:make",
                kwargs={"env_id": name},
            )


_register_with_gymnasium()
# At interpreter exit, threads still stepping a pool (daemon threads) wait for the end instead of
# taking the GIL back, which CPython before 3.14 answers by aborting the process.
atexit.register(_core._exiting)
