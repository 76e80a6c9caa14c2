"""A training session's set-up and teardown, the same for every trainer: the clock, threads,
seeds, device and precision, the training and evaluation pools, the run directory (new, or the
one a checkpoint resumes) and its TensorBoard log; at the end final.pt, the curve, summary.json,
and every pool closed."""

from __future__ import annotations

import functools
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import torch

import fastpool
from fastpool.families import env_options, family_of
from fastpool.training.evaluate import make_eval_envs, record_evaluation
from fastpool.training.networks import env_dims
from fastpool.training.precision import Precision, pick_device
from fastpool.training.runs import SaveError, TrainResult, cpus, finish, new_run_dir, tensorboard

if TYPE_CHECKING:
    from torch.utils.tensorboard import SummaryWriter


F = TypeVar("F", bound=Callable[..., Any])


def restores_signals(train: F) -> F:
    """A trainer's entry point leaves SIGINT/SIGTERM as it found them, whatever it raises (the
    session catches them only while its loop runs)."""

    @functools.wraps(train)
    def run(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread() is not threading.main_thread():
            return train(*args, **kwargs)
        saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            return train(*args, **kwargs)
        finally:
            for sig, handler in saved.items():
                signal.signal(sig, handler)

    return run  # type: ignore[return-value]


class Session:
    """Everything around a trainer's loop. Use: `s = Session(cfg, "dqn", stop_after_seconds)`,
    build the networks, `s.open(resume_fn)`, loop, `s.close(result, q)`."""

    def __init__(
        self, cfg: Any, algo: str, stop_after_seconds: float | None = None, shares_cores: bool = False
    ) -> None:
        self.started = time.time()
        self.cfg, self.algo, self._deadline = cfg, algo, stop_after_seconds
        self.device = pick_device(cfg.device)
        if cfg.backend == "ray":  # threads per actor; the actors bring their own cores
            env_threads = cfg.env_threads or 1
        else:
            env_threads = min(cfg.env_threads or max(1, cpus() // 2), cfg.num_envs)
        torch.manual_seed(cfg.seed)
        family = family_of(cfg.env_id)
        self.game_scores = family.game_scores  # episodes count whole games
        self.frame_stack = family.frame_stack(env_options(cfg.env_id, cfg.env_options))
        self.envs = fastpool.make(
            cfg.env_id,
            num_envs=cfg.num_envs,
            seed=cfg.seed,
            num_threads=env_threads,
            autoreset_mode="same_step",
            backend=cfg.backend,
            num_workers=cfg.num_workers,
            **cfg.env_options,
        )
        self.eval_envs = make_eval_envs(cfg) if cfg.eval_freq else None
        self.obs_shape, self.num_actions = env_dims(self.envs)
        self.precision = Precision.pick(cfg.precision, self.device, images=len(self.obs_shape) == 3)
        # The learner's threads. Where the trainer keeps the pool busy while it learns for about as
        # long (`shares_cores`: PQN collecting the next rollout, learning in bfloat16), the learner
        # takes the cores the pool leaves: on 2 cores with AVX512-BF16, PQN on Breakout ran 1.4-1.6x
        # faster with 1 torch thread than with 2 fighting the pool's and the collector's. Where it
        # learns in float32 on a CPU without native bfloat16, learning takes several times as long
        # as collecting and it takes every core (PQN on Pong, 2 AVX2 cores: 1.13-1.25x faster with
        # 2 threads than with 1). So does DQN (a few ms of env steps per tens of ms of learning).
        shared = shares_cores and cfg.backend == "local" and self.precision.bf16
        torch.set_num_threads(cfg.torch_threads or (max(1, cpus() - env_threads) if shared else cpus()))
        self.writer: SummaryWriter | None = None
        self.stop_signal: str | None = None  # "SIGINT" or "SIGTERM" once one asked the run to stop
        self._handlers: dict[int, Any] = {}

    def network(self, net: torch.nn.Module) -> torch.nn.Module:
        """`net` on the session's device, in the memory layout its precision prefers."""
        net = net.to(self.device)
        if self.precision.channels_last:
            net = net.to(memory_format=torch.channels_last)  # type: ignore[call-overload]  # torch's overloads omit it
        return net

    def open(self, resume: str | Path | None, load: Callable[[Path], TrainResult]) -> TrainResult:
        """The run's record: a new run directory, or `load(checkpoint)`'s (a new one under
        `run_dir` where the resumed config names another), with its TensorBoard log. From here
        until close(), Ctrl-C or SIGTERM asks the loop to stop (see `stop_requested`)."""
        try:
            if resume:
                result = load(Path(resume))
                if Path(self.cfg.run_dir).resolve() != result.run_dir.parent.resolve():
                    result.run_dir = new_run_dir(self.cfg, self.algo)  # the continued run goes where asked
            else:
                result = TrainResult(run_dir=Path(), global_step=0, solved=False, best_eval=-np.inf)
                result.run_dir = new_run_dir(self.cfg, self.algo)
            self.writer = tensorboard(result.run_dir)
        except BaseException:  # nothing to train into: the pools go now, not at exit
            self._close_pools()
            raise
        self._catch_stop_signals()
        return result

    def _catch_stop_signals(self) -> None:
        """The first SIGINT/SIGTERM sets `stop_signal`: the loop ends at its next step with a
        checkpoint. A second one acts as it would without fastpool (KeyboardInterrupt, exit)."""
        if threading.current_thread() is not threading.main_thread():
            return  # signals reach the main thread only; its owner decides

        def ask_to_stop(signum: int, frame: Any) -> None:
            self.stop_signal = signal.Signals(signum).name
            for sig, old in self._handlers.items():
                signal.signal(sig, old)

        for sig in (signal.SIGINT, signal.SIGTERM):
            self._handlers[sig] = signal.signal(sig, ask_to_stop)

    def _restore_signals(self) -> None:
        if threading.current_thread() is threading.main_thread():
            for sig, old in self._handlers.items():
                signal.signal(sig, old)
        self._handlers.clear()

    def should_stop(self) -> bool:
        """Whether the loop ends now: out of its wall-clock budget, or asked by a signal."""
        out_of_time = self._deadline is not None and time.time() - self.started > self._deadline
        return out_of_time or self.stop_signal is not None

    def checkpoint(self, save: Callable[[], None], log: Callable[[str], None]) -> bool:
        """Run `save` (a trainer's checkpoint writer); a failed write is reported in one line and
        training goes on, the last good checkpoint kept."""
        try:
            save()
            return True
        except SaveError as e:
            log(f"warning: checkpoint not saved: {e}; training goes on")
            return False

    def evaluate_due(self, step: int, steps_per_iteration: int) -> bool:
        freq = self.cfg.eval_freq
        return self.eval_envs is not None and step // freq > (step - steps_per_iteration) // freq

    def evaluate(self, q: torch.nn.Module, step: int, result: TrainResult, log: Callable[[str], None]) -> bool:
        """A greedy evaluation, logged and kept as best.pt when best; True once the run is solved."""
        assert self.eval_envs is not None and self.writer is not None
        cfg, envs, writer = self.cfg, self.eval_envs, self.writer
        solved = record_evaluation(self.algo, cfg, q, envs, self.precision, step, result, writer, log)
        result.eval_times.append(round(time.time() - self.started, 1))
        return solved

    def close(self, result: TrainResult, q: torch.nn.Module) -> None:
        """final.pt, the learning curve and summary.json written; the log and every pool closed."""
        assert self.writer is not None
        self._restore_signals()
        try:
            finish(self.algo, self.cfg, result, q, self.started, self.writer)
        finally:
            self._close_pools()

    def _close_pools(self) -> None:
        self.envs.close()
        if self.eval_envs is not None:
            self.eval_envs.close()
