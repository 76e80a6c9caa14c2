"""A run's records: its directory, TensorBoard log, checkpoint files, episode bookkeeping,
summary and learning-curve plot."""

from __future__ import annotations

import errno
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import torch

if TYPE_CHECKING:  # tensorboard loads only when a run starts
    from torch.utils.tensorboard import SummaryWriter


@dataclass
class TrainResult:
    run_dir: Path
    global_step: int
    solved: bool
    best_eval: float
    evals: list[tuple[int, float]] = field(default_factory=list)  # (step, mean eval return)
    eval_times: list[float] = field(default_factory=list)  # wall seconds into its session at each eval's end
    episodes: list[tuple[int, float]] = field(default_factory=list)  # (step, training episode return)
    stopped_by: str | None = None  # the signal (SIGINT, SIGTERM) that ended the run early
    checkpoint: Path | None = None  # the resumable checkpoint written when it did (None: none could be)

    def state(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k not in ("run_dir", "stopped_by", "checkpoint")}

    @classmethod
    def from_state(cls, run_dir: Path, r: dict[str, Any]) -> TrainResult:
        return cls(
            run_dir=run_dir,
            global_step=r["global_step"],
            solved=r["solved"],
            best_eval=r["best_eval"],
            evals=[tuple(e) for e in r["evals"]],
            eval_times=list(r.get("eval_times", [])),
            episodes=[tuple(e) for e in r["episodes"]],
        )


class RunConfig(Protocol):
    """What the shared pieces read from a trainer's config (DQNConfig, PQNConfig)."""

    env_id: str
    seed: int
    env_options: dict[str, Any]
    eval_episodes: int
    eval_max_episode_steps: int | None
    stop_at_return: float | None
    hidden_sizes: tuple[int, ...]
    run_dir: str


class CheckpointError(ValueError):
    """A file that is not a readable fastpool model or checkpoint."""


class SaveError(OSError):
    """A model or checkpoint could not be written; the file it would replace is untouched."""


def linear_schedule(start: float, end: float, duration: float, t: int) -> float:
    return max(end, start + (end - start) * t / max(duration, 1))


def cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def new_run_dir(cfg: RunConfig, algo: str) -> Path:
    """runs/<env>__<algo>__<seed>__<time>/ with the config in config.json."""
    run_dir = Path(cfg.run_dir) / f"{cfg.env_id.replace('/', '-')}__{algo}__{cfg.seed}__{int(time.time())}"
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "config.json").write_text(json.dumps(asdict(cfg), indent=2))  # type: ignore[call-overload]
    return run_dir


def tensorboard(run_dir: Path) -> SummaryWriter:
    from torch.utils.tensorboard import SummaryWriter

    return SummaryWriter(str(run_dir))


def rng_states() -> dict[str, Any]:
    """torch's (and CUDA's) global random states, for a checkpoint."""
    state: dict[str, Any] = {"torch_rng": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda_rng"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng_states(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch_rng"])
    if "cuda_rng" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda_rng"])


def save_atomic(state: dict[str, Any], path: Path) -> None:
    """Write `path` whole or not at all: into a temporary file, flushed and synced to disk, then
    renamed over `path`. On failure (disk full, file too large, read-only) the temporary file is
    removed, `path` keeps what it held, and a SaveError names the path and the cause."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "wb") as f:
            torch.save(state, f)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)
    except (OSError, RuntimeError) as e:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        kept = "the previous one is kept" if path.exists() else "there was none before"
        raise SaveError(f"could not write {path}: {_write_failure(path.parent, e)}; {kept}") from e


def _write_failure(directory: Path, error: BaseException) -> str:
    """What the OS refused, as a person would say it: torch reports a failed write as a bare
    RuntimeError, so where no OSError says why, the directory, the disk and the file-size limit do."""
    e: BaseException | None = error
    while e is not None:
        if isinstance(e, OSError) and e.errno:
            return f"{os.strerror(e.errno)} ({errno.errorcode.get(e.errno, e.errno)})"
        e = e.__cause__ or e.__context__
    if not os.access(directory, os.W_OK):
        return "the directory is not writable (read-only?)"
    free = shutil.disk_usage(directory).free
    if free < 256 * 2**20:
        return f"the disk is full ({free / 2**20:.0f} MiB free)"
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
        if limit != resource.RLIM_INFINITY:
            return f"the file size limit (ulimit -f) is {limit:,} bytes"
    except ImportError:  # not POSIX
        pass
    return f"{type(error).__name__}: {error}"


def load_state(path: str | Path) -> dict:
    """A saved best.pt / final.pt / checkpoint.pt, or a CheckpointError naming the file and what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"no model file {path}")
    try:
        state = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as e:  # truncated, corrupt, not a torch file
        raise CheckpointError(f"{path} is not a readable checkpoint ({type(e).__name__}: {e})") from e
    if not isinstance(state, dict) or not {"config", "q"} <= state.keys():
        raise CheckpointError(f"{path} is not a fastpool DQN model or checkpoint (no config and q network in it)")
    return state


def write_summary(result: TrainResult, wall_s: float, started: float) -> None:
    """summary.json in the run directory: how far the run got, how fast, and its evaluations."""
    recent = [r for _, r in result.episodes[-100:]]
    summary = {
        "env_steps": result.global_step,
        "wall_s": round(wall_s, 1),
        "started_at": round(started, 3),  # epoch seconds: the session's clock starts here
        "env_steps_per_s": round(result.global_step / max(wall_s, 1e-9), 1),
        "solved": result.solved,
        "best_eval": result.best_eval if np.isfinite(result.best_eval) else None,
        "evals": result.evals,
        "eval_wall_s": result.eval_times,
        "episodes": len(result.episodes),
        "mean_of_last_100_episodes": float(np.mean(recent)) if recent else None,
        "episode_curve": _binned(result.episodes),
    }
    (result.run_dir / "summary.json").write_text(json.dumps(summary, indent=2))


def _binned(episodes: list[tuple[int, float]], bins: int = 200) -> list[tuple[int, float]]:
    """At most `bins` points of the training curve: each the last step and mean return of a run
    of consecutive episodes."""
    if not episodes:
        return []
    steps, rets = np.array([s for s, _ in episodes]), np.array([r for _, r in episodes])
    parts = np.array_split(np.arange(len(episodes)), min(bins, len(episodes)))
    return [(int(steps[i[-1]]), round(float(rets[i].mean()), 2)) for i in parts]


def load_run_config(path: str | Path, cls: Any) -> Any:
    """The config a saved model or checkpoint was trained with, as a `cls` (DQNConfig, PQNConfig)."""
    data = dict(load_state(path)["config"])
    data["hidden_sizes"] = tuple(data["hidden_sizes"])
    try:
        return cls(**data)
    except TypeError as e:
        raise CheckpointError(f"{path} holds a config this version cannot read ({e})") from e


def finish(algo: str, cfg: RunConfig, result: TrainResult, q: torch.nn.Module, started: float,
           writer: SummaryWriter) -> None:  # fmt: skip
    """The end of a run: final.pt, the learning curve, summary.json; the TensorBoard log closed."""
    state = {"algo": algo, "config": asdict(cfg), "q": q.state_dict(), "step": result.global_step}  # type: ignore[call-overload]
    save_atomic(state, result.run_dir / "final.pt")
    plot(result, result.run_dir / "learning_curve.png", f"{algo.upper()} on {cfg.env_id}")
    write_summary(result, time.time() - started, started)
    writer.close()


def finished_episodes(
    ended: np.ndarray, truncated: np.ndarray, info: dict[str, Any], returns: np.ndarray, game_scores: bool
) -> list[float]:
    """Returns of the episodes that ended this step. With `game_scores` (Atari): whole games,
    unclipped scores (with episodic life an env episode is one life; the game goes on)."""
    if not ended.any():
        return []
    if not game_scores:
        return [float(returns[i]) for i in np.flatnonzero(ended)]
    final = info["final_info"]
    game_end = ended & ((final["game_over"] != 0) | truncated)
    return [float(final["score"][i]) for i in np.flatnonzero(game_end)]


def plot(result: TrainResult, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    if result.episodes:
        steps, rets = zip(*result.episodes)
        ax.plot(steps, rets, ".", alpha=0.25, label="training episodes")
        window = max(1, len(rets) // 50)
        smooth = np.convolve(rets, np.ones(window) / window, mode="valid")
        ax.plot(steps[window - 1 :], smooth, label=f"training (mean of {window})")
    if result.evals:
        steps, means = zip(*result.evals)
        ax.plot(steps, means, "o-", label="evaluation (greedy)")
    ax.set_xlabel("env steps")
    ax.set_ylabel("episode return")
    ax.set_title(title)
    if result.episodes or result.evals:
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
