"""Greedy evaluation on a separate pool (no episodic life, no reward clipping, no exploration)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

import fastpool
from fastpool.families import family_of
from fastpool.training.precision import Precision
from fastpool.training.runs import RunConfig, SaveError, TrainResult, save_atomic

if TYPE_CHECKING:
    from torch.utils.tensorboard import SummaryWriter


def make_eval_envs(cfg: RunConfig, num_envs: int | None = None) -> fastpool.VectorEnv:
    """The evaluation pool: the training options, then the family's evaluation overrides."""
    options = {**cfg.env_options, **family_of(cfg.env_id).eval_options}
    if cfg.eval_max_episode_steps:
        options["max_episode_steps"] = cfg.eval_max_episode_steps
    n = num_envs or min(cfg.eval_episodes, 8)
    return fastpool.make(cfg.env_id, num_envs=n, seed=cfg.seed + 10_000, **options)


def greedy_actions(q: torch.nn.Module, obs: np.ndarray, precision: Precision) -> np.ndarray:
    with precision.acting():
        return q(torch.as_tensor(obs, device=precision.device)).argmax(dim=1).cpu().numpy()


def evaluate(
    q: torch.nn.Module,
    envs: fastpool.VectorEnv,
    episodes: int,
    precision: Precision,
    video: str | Path | None = None,
) -> list[float]:
    """Returns of the first `episodes` episodes to finish; optionally a video of env 0's first."""
    was_training = q.training
    q.eval()
    returns: list[float] = []
    running = np.zeros(envs.num_envs)
    frames: list[np.ndarray] | None = [] if video else None
    obs, _ = envs.reset()
    active = np.ones(envs.num_envs, dtype=bool)  # next-step autoreset: skip the reset steps
    while len(returns) < episodes:
        if frames is not None:
            frames.append(envs.render(0))
        obs, reward, terminated, truncated, _ = envs.step(greedy_actions(q, obs, precision))
        running += reward * active
        ended = (terminated | truncated) & active
        for i in np.flatnonzero(ended):
            returns.append(float(running[i]))
            if i == 0 and frames is not None and video is not None:
                _write_video(video, frames)
                frames = None
        running[ended] = 0.0
        active = ~(terminated | truncated)
    q.train(was_training)
    return returns[:episodes]


def record_evaluation(
    algo: str,
    cfg: RunConfig,
    q: torch.nn.Module,
    envs: fastpool.VectorEnv,
    precision: Precision,
    step: int,
    result: TrainResult,
    writer: SummaryWriter,
    log: Callable[[str], None],
) -> bool:
    """A greedy evaluation during training: logged, best.pt kept when it is the best so far.
    True once its mean reaches cfg.stop_at_return."""
    mean = float(np.mean(evaluate(q, envs, cfg.eval_episodes, precision)))
    result.evals.append((step, mean))
    writer.add_scalar("eval/mean_return", mean, step)
    log(f"step {step:,}: eval mean return {mean:.1f} over {cfg.eval_episodes} episodes")
    if mean > result.best_eval:
        result.best_eval = mean
        state = {"algo": algo, "config": asdict(cfg), "q": q.state_dict(), "step": step, "eval": mean}  # type: ignore[call-overload]
        try:
            save_atomic(state, result.run_dir / "best.pt")
        except SaveError as e:
            log(f"warning: {e}; training goes on")
    result.solved = cfg.stop_at_return is not None and mean >= cfg.stop_at_return
    return result.solved


def _write_video(path: str | Path, frames: list[np.ndarray]) -> None:
    import imageio.v2 as imageio

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    imageio.mimsave(path, [*frames], fps=30, macro_block_size=1)
