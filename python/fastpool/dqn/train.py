"""DQN (Mnih et al. 2015) with Double DQN, on fastpool's batched numpy, CleanRL-style.

Read top to bottom: set-up, then one loop that acts epsilon-greedily in every env at once,
stores transitions, trains on replayed batches (while the C++ threads step the envs), updates
the target network, evaluates, and checkpoints.
"""

from __future__ import annotations

import copy
import random
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from fastpool.dqn.config import DQNConfig
from fastpool.dqn.replay import ReplayBuffer
from fastpool.training.networks import q_network
from fastpool.training.precision import pick_device
from fastpool.training.runs import (
    CheckpointError,
    TrainResult,
    finished_episodes,
    linear_schedule,
    load_run_config,
    load_state,
    restore_rng_states,
    rng_states,
    save_atomic,
)
from fastpool.training.session import Session, restores_signals

__all__ = ["CheckpointError", "TrainResult", "load_config", "load_state", "pick_device", "train"]


@restores_signals
def train(
    cfg: DQNConfig,
    resume: str | Path | None = None,
    progress: bool = True,
    stop_after: int | None = None,
    stop_after_seconds: float | None = None,
) -> TrainResult:
    """Train; `resume` continues from a checkpoint.pt. `stop_after` ends this session at that
    env step, `stop_after_seconds` at the first step after that much wall time (as a preempted
    job would end; resume it later from its last checkpoint)."""
    # -- set-up -----------------------------------------------------------------
    session = Session(cfg, "dqn", stop_after_seconds)
    random.seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    envs, precision, num_actions = session.envs, session.precision, session.num_actions
    device = session.device

    q = session.network(q_network(session.obs_shape, num_actions, cfg.hidden_sizes))
    target = copy.deepcopy(q)
    optimizer = precision.optimizer(q.parameters(), cfg.learning_rate)
    rb = ReplayBuffer(
        cfg.buffer_size, cfg.num_envs, session.obs_shape, envs.single_observation_space.dtype, session.frame_stack
    )
    result = session.open(resume, lambda path: _load_checkpoint(path, q, target, optimizer, rb, rng))
    run_dir, writer = result.run_dir, session.writer
    assert writer is not None

    # Episodes restart at every checkpoint (as a time limit would end them), so a resumed run
    # continues exactly as the uninterrupted one does.
    obs, _ = envs.reset(seed=cfg.seed + result.global_step)
    rb.end_episodes()
    returns = np.zeros(cfg.num_envs)
    step = result.global_step
    bar = tqdm(total=cfg.total_timesteps, initial=step, unit="step", disable=not progress, dynamic_ncols=True)
    start_time, start_step = time.time(), step

    def learn(phases: int) -> float | None:
        loss = None
        for _ in range(phases * cfg.gradient_steps):
            batch = {k: torch.as_tensor(v, device=device) for k, v in rb.sample(cfg.batch_size, rng).items()}
            with precision.targets():
                next_q = target(batch["next_obs"]).float()
                if cfg.double_dqn:  # the online net picks, the target net values
                    best = q(batch["next_obs"]).argmax(dim=1, keepdim=True)
                    next_value = next_q.gather(1, best).squeeze(1)
                else:
                    next_value = next_q.max(dim=1).values
                # Termination cuts the bootstrap; truncation does not (next_obs is the real last obs).
                td_target = batch["rewards"] + cfg.gamma * next_value * (~batch["terminated"]).float()
            with precision.autocast():
                q_taken = q(batch["obs"]).gather(1, batch["actions"].long().unsqueeze(1)).squeeze(1)
            loss = F.smooth_l1_loss(q_taken.float(), td_target)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(q.parameters(), cfg.max_grad_norm)
            optimizer.step()
        return None if loss is None else float(loss.detach())

    def save() -> None:
        _save_checkpoint(run_dir / "checkpoint.pt", cfg, result, q, target, optimizer, rb, rng)

    # -- the loop ---------------------------------------------------------------
    while step < min(cfg.total_timesteps, stop_after or cfg.total_timesteps) and not session.should_stop():
        epsilon = linear_schedule(cfg.start_e, cfg.end_e, cfg.exploration_fraction * cfg.total_timesteps, step)
        with precision.acting():
            actions = q(torch.as_tensor(obs, device=device)).argmax(dim=1).cpu().numpy()
        explore = rng.random(cfg.num_envs) < epsilon
        actions[explore] = rng.integers(0, num_actions, size=int(explore.sum()))

        # Training phases due this iteration (train_freq counts env steps over all envs).
        next_step = step + cfg.num_envs
        phases = next_step // cfg.train_freq - step // cfg.train_freq if step >= cfg.learning_starts else 0
        if cfg.overlap:  # the envs step in C++ threads while the learner trains
            envs.send(actions)
            loss = learn(phases)
            next_obs, rewards, terminated, truncated, info = envs.recv()
        else:
            next_obs, rewards, terminated, truncated, info = envs.step(actions)
            loss = learn(phases)

        ended = terminated | truncated
        real_next = next_obs
        if ended.any():  # store the real last observation, not the next episode's first
            real_next = next_obs.copy()
            for i in np.flatnonzero(ended):
                real_next[i] = info["final_obs"][i]
        rb.add(obs, actions, rewards, real_next, terminated, ended)
        obs = next_obs
        step = next_step

        if next_step // cfg.target_network_frequency > (next_step - cfg.num_envs) // cfg.target_network_frequency:
            with torch.no_grad():
                for p, tp in zip(q.parameters(), target.parameters()):
                    tp.mul_(1.0 - cfg.tau).add_(p, alpha=cfg.tau)

        returns += rewards
        for ep_return in finished_episodes(ended, truncated, info, returns, session.game_scores):
            result.episodes.append((step, ep_return))
            writer.add_scalar("charts/episodic_return", ep_return, step)
        returns[ended] = 0.0

        if loss is not None and step % 1000 < cfg.num_envs:
            writer.add_scalar("losses/td_loss", loss, step)
            writer.add_scalar("charts/epsilon", epsilon, step)
        sps = (step - start_step) / max(time.time() - start_time, 1e-9)
        bar.update(cfg.num_envs)
        if step % (cfg.num_envs * 50) < cfg.num_envs:
            recent = [r for _, r in result.episodes[-20:]]
            bar.set_postfix(
                sps=f"{sps:,.0f}",
                episodes=len(result.episodes),
                ret=f"{np.mean(recent):.1f}" if recent else "-",
                eps=f"{epsilon:.2f}",
            )
            writer.add_scalar("charts/SPS", sps, step)

        if session.evaluate_due(step, cfg.num_envs) and session.evaluate(q, step, result, bar.write):
            break

        if cfg.checkpoint_freq and step // cfg.checkpoint_freq > (step - cfg.num_envs) // cfg.checkpoint_freq:
            result.global_step = step
            session.checkpoint(save, bar.write)
            obs, _ = envs.reset(seed=cfg.seed + step)
            rb.end_episodes()
            returns[:] = 0.0

    result.global_step = step
    if session.stop_signal:  # Ctrl-C or SIGTERM: where the run is now, resumable
        result.stopped_by = session.stop_signal
        result.checkpoint = run_dir / "checkpoint.pt" if session.checkpoint(save, bar.write) else None
    bar.close()
    session.close(result, q)
    return result


# -- checkpoints -------------------------------------------------------------------


def _save_checkpoint(
    path: Path,
    cfg: DQNConfig,
    result: TrainResult,
    q: torch.nn.Module,
    target: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    rb: ReplayBuffer,
    rng: np.random.Generator,
) -> None:
    state: dict[str, Any] = {
        "algo": "dqn",
        "config": asdict(cfg),
        "q": q.state_dict(),
        "target": target.state_dict(),
        "optimizer": optimizer.state_dict(),
        "result": result.state(),
        "numpy_rng": rng.bit_generator.state,
        "python_rng": random.getstate(),
        "replay": rb.state_dict() if cfg.save_replay else None,
        **rng_states(),
    }
    save_atomic(state, path)


# What a resumed run may change: its length and where and how it runs, not what it learns from.
RESUMABLE = frozenset(
    {"total_timesteps", "device", "precision", "torch_threads", "eval_freq", "eval_episodes", "checkpoint_freq",
     "save_replay", "overlap", "stop_at_return", "run_dir"}
)  # fmt: skip


def _load_checkpoint(
    path: Path,
    q: torch.nn.Module,
    target: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    rb: ReplayBuffer,
    rng: np.random.Generator,
) -> TrainResult:
    state = load_state(path)
    if "optimizer" not in state:
        raise CheckpointError(f"{path} is a model, not a checkpoint: resume from a run's checkpoint.pt")
    q.load_state_dict(state["q"])
    target.load_state_dict(state["target"])
    optimizer.load_state_dict(state["optimizer"])
    rng.bit_generator.state = state["numpy_rng"]
    random.setstate(state["python_rng"])
    restore_rng_states(state)
    if state["replay"] is not None:
        rb.load_state_dict(state["replay"])
    return TrainResult.from_state(path.parent, state["result"])


def load_config(path: str | Path) -> DQNConfig:
    return load_run_config(path, DQNConfig)
