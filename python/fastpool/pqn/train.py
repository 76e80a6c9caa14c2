"""PQN (Gallici et al. 2024, "Simplifying Deep Temporal Difference Learning"): Q-learning from many
envs at once, with no replay buffer and no target network. LayerNorm in the Q-network keeps it
stable; Q(lambda) returns over short rollouts carry rewards back quickly.

Read top to bottom: set-up, then one loop that collects a rollout epsilon-greedily from every env
(with `overlap`, the next rollout is collected, one update behind, while the learner trains on
this one), computes Q(lambda) returns, takes a few epochs of minibatch steps, evaluates and
checkpoints.
"""

from __future__ import annotations

import copy
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from gymnasium.vector import VectorEnv
from tqdm import tqdm

from fastpool.pqn.config import PQNConfig
from fastpool.training.networks import env_dims, q_network
from fastpool.training.precision import Precision
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


@dataclass
class Rollout:
    """num_steps steps of every env. Observations are on the learner's device (each crossed
    over once, when it was acted on); the rest is small and crosses once per rollout."""

    start_step: int
    obs: torch.Tensor  # (T, N, *obs_shape), the obs each action was taken in
    last_obs: torch.Tensor  # (N, *obs_shape), after the last step
    actions: np.ndarray  # (T, N)
    rewards: np.ndarray  # (T, N)
    terminated: np.ndarray  # (T, N)
    ended: np.ndarray  # (T, N) terminated or truncated
    truncations: list[tuple[int, int, np.ndarray]] = field(default_factory=list)  # (t, env, final obs)
    episodes: list[tuple[int, float]] = field(default_factory=list)  # (step, return) that ended


class Collector:
    """Steps the envs epsilon-greedily with an acting copy of the Q-network."""

    def __init__(
        self, envs: VectorEnv, cfg: PQNConfig, precision: Precision, game_scores: bool, rng: np.random.Generator
    ):
        self.envs, self.cfg, self.precision, self.rng = envs, cfg, precision, rng
        self.device = device = precision.device
        self.game_scores = game_scores
        self.obs_shape, self.num_actions = env_dims(envs)
        self.dtype = torch.from_numpy(np.zeros(0, envs.single_observation_space.dtype)).dtype
        # CUDA: observations go through a pinned buffer, so the copy to the device is a DMA.
        self.stage = (
            torch.empty((cfg.num_envs, *self.obs_shape), dtype=self.dtype, pin_memory=True)
            if device.type == "cuda"
            else None
        )
        self.obs = np.zeros(0)
        self.returns = np.zeros(cfg.num_envs)

    def reset(self, seed: int) -> None:
        """Every env starts a new episode (at the run's start and after each checkpoint)."""
        self.obs, _ = self.envs.reset(seed=seed)
        self.returns[:] = 0.0

    def _to_device(self, obs: np.ndarray, out: torch.Tensor) -> None:
        if self.stage is None:
            out.copy_(torch.as_tensor(obs))
        else:
            self.stage.numpy()[...] = obs
            out.copy_(self.stage, non_blocking=True)  # done before the argmax's sync

    def collect(self, net: torch.nn.Module, start_step: int) -> Rollout:
        cfg, n, t_max = self.cfg, self.cfg.num_envs, self.cfg.num_steps
        r = Rollout(
            start_step=start_step,
            obs=torch.empty((t_max, n, *self.obs_shape), dtype=self.dtype, device=self.device),
            last_obs=torch.empty((n, *self.obs_shape), dtype=self.dtype, device=self.device),
            actions=np.zeros((t_max, n), dtype=np.int64),
            rewards=np.zeros((t_max, n), dtype=np.float32),
            terminated=np.zeros((t_max, n), dtype=bool),
            ended=np.zeros((t_max, n), dtype=bool),
        )
        step = start_step
        for t in range(t_max):
            epsilon = linear_schedule(cfg.start_e, cfg.end_e, cfg.exploration_fraction * cfg.total_timesteps, step)
            self._to_device(self.obs, r.obs[t])
            with self.precision.acting():
                greedy = net(r.obs[t]).argmax(dim=1).cpu().numpy()
            explore = self.rng.random(n) < epsilon
            actions = np.where(explore, self.rng.integers(0, self.num_actions, size=n), greedy)
            self.obs, rewards, terminated, truncated, info = self.envs.step(actions)
            step += n
            ended = terminated | truncated
            r.actions[t], r.rewards[t], r.terminated[t], r.ended[t] = actions, rewards, terminated, ended
            for i in np.flatnonzero(truncated & ~terminated):  # bootstrap from the real last obs
                r.truncations.append((t, int(i), np.array(info["final_obs"][i])))
            self.returns += rewards
            ends = finished_episodes(ended, truncated, info, self.returns, self.game_scores)
            r.episodes += [(step, ret) for ret in ends]
            self.returns[ended] = 0.0
        self._to_device(self.obs, r.last_obs)
        return r


def q_lambda_returns(q: torch.nn.Module, r: Rollout, gamma: float, lam: float, precision: Precision) -> torch.Tensor:
    """Peng's Q(lambda) targets, (T, N): R_t = r_t + gamma * ((1 - lam) max_a Q(s_{t+1}, a) + lam R_{t+1}),
    cut at episode ends: a termination bootstraps nothing, a truncation max_a Q(final obs, a).
    The Q-values may come in bfloat16; the returns are summed in float32."""
    t_max, n = r.actions.shape
    device = precision.device
    with precision.targets():
        next_max = torch.cat([_max_q(q, r.obs[1:].flatten(0, 1)).view(t_max - 1, n), _max_q(q, r.last_obs)[None]])
        at_end = torch.zeros(t_max, n, device=device)  # value after an episode's last step
        if r.truncations:
            ts, envs, finals = zip(*r.truncations)
            final_obs = torch.as_tensor(np.stack(finals), device=device)
            at_end[list(ts), list(envs)] = _max_q(q, final_obs)
        rewards = torch.as_tensor(r.rewards, device=device)
        ended = torch.as_tensor(r.ended, device=device)
        returns = torch.empty(t_max, n, device=device)
        ret = next_max[-1]  # R_T: the bootstrap after the rollout
        for t in reversed(range(t_max)):
            ret = rewards[t] + gamma * torch.where(ended[t], at_end[t], (1 - lam) * next_max[t] + lam * ret)
            returns[t] = ret
    return returns


def _max_q(q: torch.nn.Module, obs: torch.Tensor, chunk: int = 256) -> torch.Tensor:
    # Chunks of a few hundred stay in cache: 4096 at once took twice as long per obs on a CPU.
    if len(obs) == 0:
        return torch.zeros(0, device=obs.device)
    return torch.cat([q(part).max(dim=1).values.float() for part in obs.split(chunk)])


@restores_signals
def train(
    cfg: PQNConfig,
    resume: str | Path | None = None,
    progress: bool = True,
    stop_after: int | None = None,
    stop_after_seconds: float | None = None,
) -> TrainResult:
    """Train; `resume` continues from a checkpoint.pt. `stop_after` ends this session at that
    env step, `stop_after_seconds` at the first update after that much wall time (as a
    preempted job would end; resume it later from its last checkpoint)."""
    # -- set-up -----------------------------------------------------------------
    session = Session(cfg, "pqn", stop_after_seconds, shares_cores=cfg.overlap)
    act_rng = np.random.default_rng(cfg.seed)  # exploration (the collector's thread)
    learn_rng = np.random.default_rng(cfg.seed + 1)  # minibatch order (the learner's)
    precision, device = session.precision, session.device
    q = session.network(q_network(session.obs_shape, session.num_actions, cfg.hidden_sizes, layer_norm=True))
    optimizer = precision.optimizer(q.parameters(), cfg.learning_rate)
    result = session.open(resume, lambda path: _load_checkpoint(path, q, optimizer, act_rng, learn_rng))
    run_dir, writer = result.run_dir, session.writer
    assert writer is not None
    actor = copy.deepcopy(q)  # acts while q learns; synced after every update
    collector = Collector(session.envs, cfg, precision, session.game_scores, act_rng)
    collector.reset(cfg.seed + result.global_step)
    pool = ThreadPoolExecutor(max_workers=1) if cfg.overlap else None

    step = result.global_step
    limit = min(cfg.total_timesteps, stop_after or cfg.total_timesteps)
    bar = tqdm(total=cfg.total_timesteps, initial=step, unit="step", disable=not progress, dynamic_ncols=True)
    start_time, start_step = time.time(), step
    minibatch = cfg.batch_size // cfg.num_minibatches

    def learn(r: Rollout) -> float:
        if cfg.anneal_lr:
            optimizer.param_groups[0]["lr"] = cfg.learning_rate * max(0.0, 1.0 - r.start_step / cfg.total_timesteps)
        returns = q_lambda_returns(q, r, cfg.gamma, cfg.q_lambda, precision).flatten()
        obs = r.obs.flatten(0, 1)
        actions = torch.as_tensor(r.actions, device=device).flatten()
        loss = torch.zeros(())
        for _ in range(cfg.update_epochs):
            order = torch.as_tensor(learn_rng.permutation(cfg.batch_size), device=device)
            for mb in order.split(minibatch):
                with precision.autocast():
                    q_taken = q(obs[mb]).gather(1, actions[mb, None]).squeeze(1)
                loss = F.mse_loss(q_taken.float(), returns[mb])
                optimizer.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(q.parameters(), cfg.max_grad_norm)
                optimizer.step()
        return float(loss.detach())

    def save() -> None:
        _save_checkpoint(run_dir / "checkpoint.pt", cfg, result, q, optimizer, act_rng, learn_rng)

    # -- the loop ---------------------------------------------------------------
    rollout = collector.collect(actor, step) if step < limit else None
    while rollout is not None:
        after = step + cfg.batch_size
        checkpoint_due = cfg.checkpoint_freq and after // cfg.checkpoint_freq > step // cfg.checkpoint_freq
        more = after < limit and not session.should_stop()
        # The next rollout is collected with the actor (this update's weights are not in it yet),
        # except across a checkpoint, so that a resumed run collects exactly what this one does.
        ahead: Future[Rollout] | None = None
        if pool is not None and more and not checkpoint_due:
            ahead = pool.submit(collector.collect, actor, after)
        loss = learn(rollout)
        next_rollout = ahead.result() if ahead is not None else None
        actor.load_state_dict(q.state_dict())
        step = after

        for at, ep_return in rollout.episodes:
            result.episodes.append((at, ep_return))
            writer.add_scalar("charts/episodic_return", ep_return, at)
        sps = (step - start_step) / max(time.time() - start_time, 1e-9)
        writer.add_scalar("losses/td_loss", loss, step)
        writer.add_scalar("charts/SPS", sps, step)
        writer.add_scalar("charts/epsilon", linear_schedule(
            cfg.start_e, cfg.end_e, cfg.exploration_fraction * cfg.total_timesteps, step), step)  # fmt: skip
        recent = [ret for _, ret in result.episodes[-20:]]
        bar.update(cfg.batch_size)
        shown = f"{np.mean(recent):.1f}" if recent else "-"
        bar.set_postfix(sps=f"{sps:,.0f}", episodes=len(result.episodes), ret=shown)

        if session.evaluate_due(step, cfg.batch_size) and session.evaluate(q, step, result, bar.write):
            break

        if checkpoint_due:
            result.global_step = step
            session.checkpoint(save, bar.write)
            collector.reset(cfg.seed + step)  # episodes restart here, as in a resumed run
        if not more:
            break
        rollout = next_rollout if next_rollout is not None else collector.collect(actor, step)

    if pool is not None:
        pool.shutdown()
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
    cfg: PQNConfig,
    result: TrainResult,
    q: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    act_rng: np.random.Generator,
    learn_rng: np.random.Generator,
) -> None:
    state: dict[str, Any] = {
        "algo": "pqn",
        "config": asdict(cfg),
        "q": q.state_dict(),
        "optimizer": optimizer.state_dict(),
        "result": result.state(),
        "act_rng": act_rng.bit_generator.state,
        "learn_rng": learn_rng.bit_generator.state,
        **rng_states(),
    }
    save_atomic(state, path)


# What a resumed run may change: its length and where it runs, not what it learns from.
RESUMABLE = frozenset(
    {"total_timesteps", "device", "precision", "torch_threads", "eval_freq", "eval_episodes", "checkpoint_freq",
     "stop_at_return", "run_dir"}
)  # fmt: skip


def _load_checkpoint(
    path: Path,
    q: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    act_rng: np.random.Generator,
    learn_rng: np.random.Generator,
) -> TrainResult:
    state = load_state(path)
    if "optimizer" not in state:
        raise CheckpointError(f"{path} is a model, not a checkpoint: resume from a run's checkpoint.pt")
    if state.get("algo") != "pqn":
        raise CheckpointError(f"{path} is a {state.get('algo', 'dqn').upper()} checkpoint, not a PQN one")
    q.load_state_dict(state["q"])
    optimizer.load_state_dict(state["optimizer"])
    act_rng.bit_generator.state = state["act_rng"]
    learn_rng.bit_generator.state = state["learn_rng"]
    restore_rng_states(state)
    return TrainResult.from_state(path.parent, state["result"])


def load_config(path: str | Path) -> PQNConfig:
    return load_run_config(path, PQNConfig)
