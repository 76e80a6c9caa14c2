"""Episode statistics written by the pool itself (`fastpool.make(..., episode_statistics=True)`),
in the layout of gymnasium's vector `RecordEpisodeStatistics` wrapper, so loggers written for
the wrapper read them unchanged:

    info["episode"] = {"r": float64 returns, "l": int lengths, "t": float64 seconds}  # one entry per row
    info["_episode"] = bool mask: the rows whose episode ended in this step

Both keys appear only in results where an episode ended; the entries of the other rows are 0.

An episode is what the family calls one (`Family.game_scores`). Classic control: an env
episode, its return the sum of its rewards and its length its steps, exactly as the wrapper
counts them in each autoreset mode. Atari: a whole game, which ends at game over or at the time
limit: its return is the game's unclipped score and its length its agent steps across lives
(the engine's `score` and `game_step`), whatever `episodic_life` and `reward_clip` are, so the
statistics are those the wrapper computes over a pool with both off.

Rows are told apart by their env ids, so results of an async pool (`recv`), in any order and
any batch, are counted per env. A partial reset restarts the counts of the envs it resets only
(the wrapper over a vector env restarts them all: the vector env takes the reset mask out of the
options before the wrapper reads it); same-step episodes are counted as gymnasium 1.4's wrapper
counts them (before 1.4 it counted episodes after an env's first one a step short).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from gymnasium.vector import AutoresetMode

if TYPE_CHECKING:
    from fastpool._core import Batch

KEY = "episode"


def check_episode_statistics(value: Any) -> bool:
    """The make() option, checked: a bool (numpy's too), else a TypeError naming it."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"episode_statistics must be a bool, got {value!r}")
    return bool(value)


class EpisodeStatistics:
    """Per-env running statistics of a pool of `num_envs` envs, updated with each result the
    front end hands out (`update`)."""

    def __init__(self, num_envs: int, mode: AutoresetMode, info_names: Sequence[str], game_scores: bool) -> None:
        self._same_step = mode is AutoresetMode.SAME_STEP
        self._returns = np.zeros(num_envs)  # float64, as the wrapper's
        self._lengths = np.zeros(num_envs, dtype=int)
        self._starts = np.full(num_envs, time.perf_counter())
        names = list(info_names)
        # Atari: the engine counts whole games; the columns of its score, game end and game length
        self._game = (names.index("score"), names.index("game_over"), names.index("game_step")) if game_scores else None

    def update(self, batch: Batch, mask: np.ndarray | None = None) -> tuple[dict[str, np.ndarray], np.ndarray] | None:
        """Count one result of the pool: a step's, an async `recv`'s or a reset's (`mask`: the rows
        a partial reset reset; the others report their env unchanged). Returns the stats and
        their mask, (info["episode"], info["_episode"]), where an episode ended in it, else None."""
        now = time.perf_counter()
        ids = batch.env_id
        if mask is not None:
            rows = np.flatnonzero(mask)
            self._begin(ids[rows], batch.info[rows], now)
            return None
        done = batch.terminated | batch.truncated
        if self._game is not None:
            return self._game_update(batch, ids, done, now)
        # The first result of an episode: a reset's, or the step that resets under next-step
        # autoreset (its reward is 0 and it is no step of the episode, as the wrapper counts).
        fresh = (batch.elapsed_step == 0) & ~done
        if fresh.any():
            self._begin(ids[fresh], batch.info[fresh], now)
            stepped = ~fresh
            self._returns[ids[stepped]] += batch.reward[stepped]
            self._lengths[ids[stepped]] += 1
        else:
            self._returns[ids] += batch.reward
            self._lengths[ids] += 1
        if not done.any():
            return None
        stats = {
            "r": np.where(done, self._returns[ids], 0.0),
            "l": np.where(done, self._lengths[ids], 0),
            "t": np.where(done, np.round(now - self._starts[ids], 6), 0.0),
        }
        if self._same_step:  # the ended envs already reset: their next episode starts now
            self._begin(ids[done], None, now)
        return stats, done

    def _game_update(
        self, batch: Batch, ids: np.ndarray, done: np.ndarray, now: float
    ) -> tuple[dict[str, np.ndarray], np.ndarray] | None:
        """Atari: whole games, read from the engine. A game ends where an episode ends at game
        over or at the time limit (a lost life under episodic_life ends an episode only)."""
        assert self._game is not None
        score, game_over, game_step = self._game
        out = None
        if done.any():
            # the ended episode's info: same-step autoreset moved it to the final step
            last = batch.final.info if self._same_step and batch.final is not None else batch.info
            ended = done & ((last[:, game_over] != 0) | batch.truncated)
            if ended.any():
                stats = {
                    "r": np.where(ended, last[:, score].astype(np.float64), 0.0),
                    "l": np.where(ended, last[:, game_step].astype(int), 0),
                    "t": np.where(ended, np.round(now - self._starts[ids], 6), 0.0),
                }
                out = stats, ended
        # a new game began where the result shows a game of no steps (a reset that continues the
        # game after a lost life keeps its steps)
        self._starts[ids[batch.info[:, game_step] == 0]] = now
        return out

    def _begin(self, ids: np.ndarray, info: np.ndarray | None, now: float) -> None:
        """Episodes began for these envs (`info`: their results' info rows, for Atari)."""
        if self._game is not None:
            if info is not None:
                self._starts[ids[info[:, self._game[2]] == 0]] = now
            return
        self._returns[ids] = 0.0
        self._lengths[ids] = 0
        self._starts[ids] = now
