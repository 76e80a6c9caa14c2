"""One env as a `gymnasium.Env`, backed by a one-env pool: what `gymnasium.make("fastpool/<id>")`
builds, so fastpool's ids work in every mode of `gymnasium.make_vec` ("sync", "async" and
"vector_entry_point", the last of which builds a whole pool with `fastpool.make`).

    env = gymnasium.make("fastpool/CartPole-v1")
    obs, info = env.reset(seed=0)      # the same obs as gymnasium.make("CartPole-v1").reset(seed=0)
"""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np
import numpy.typing as npt
from gymnasium.utils import seeding
from gymnasium.vector import AutoresetMode

from fastpool.episodes import check_episode_statistics
from fastpool.vector import Unshareable, check_seed


class FastpoolEnv(Unshareable, gymnasium.Env):
    """A single fastpool env with gymnasium's `Env` API and info dict (`info_keys="gymnasium"`).

    As gymnasium's envs, it never resets by itself: stepping after an episode ended goes on as
    the reference env does (CartPole: reward 0). `reset(seed=s)` seeds it as `make(seed=s)` does.
    """

    # What some ids offer (Atari); each instance narrows it to its own env's modes.
    metadata: dict[str, Any] = {"render_modes": ["rgb_array"], "render_fps": 30}  # noqa: RUF012

    def __init__(self, env_id: str, render_mode: str | None = None, **options: Any) -> None:
        import fastpool

        if "episode_statistics" in options and check_episode_statistics(options["episode_statistics"]):
            raise ValueError(
                "episode_statistics is an option of vector pools (fastpool.make, or gymnasium.make_vec with "
                "vectorization_mode='vector_entry_point'); wrap one env in gymnasium.wrappers.RecordEpisodeStatistics"
            )
        self._pool = fastpool.make(
            env_id,
            num_envs=1,
            num_threads=1,
            autoreset_mode=AutoresetMode.DISABLED,
            info_keys="gymnasium",
            render_mode=render_mode,
            **options,
        )
        self._engine = self._pool.engine  # stepped directly: see VectorEnv.engine
        self._info_columns = self._pool.info_columns
        self.observation_space = self._pool.single_observation_space
        self.action_space = self._pool.single_action_space
        self._action_shape = self.action_space.shape or ()  # () for Discrete, (dim,) for Box
        self.metadata = {k: v for k, v in self._pool.metadata.items() if k != "autoreset_mode"}
        self.render_mode = render_mode
        self._np_random, self._np_random_seed = seeding.np_random(self._pool.seed_base)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, int]]:
        """Start an episode; `seed` restarts the env's random stream (None continues it)."""
        if options:
            raise ValueError(f"unsupported reset options {sorted(options)}: fastpool envs take none")
        if seed is not None:
            check_seed(seed, 1)  # the pool's seed checks, with their messages
            super().reset(seed=seed)  # np_random: a generator seeded as the env's stream is
            self._pool.env_seeds[0] = int(seed)
        seeds = None if seed is None else np.array([seed], dtype=np.uint64)
        batch = self._engine.reset(seeds)
        return batch.obs[0], self._info(batch.info)

    def step(self, action: npt.ArrayLike) -> tuple[np.ndarray, float, bool, bool, dict[str, int]]:
        """One step: (obs, reward, terminated, truncated, info), gymnasium's types."""
        try:
            action = np.asarray(action).reshape((1, *self._action_shape))
        except ValueError:
            shape = np.shape(action)
            raise ValueError(
                f"action must be one value of the action space {self.action_space} (shape {self._action_shape}), "
                f"got shape {shape}"
            ) from None
        batch = self._engine.step(action)
        return (
            batch.obs[0],
            float(batch.reward[0]),
            bool(batch.terminated[0]),
            bool(batch.truncated[0]),
            self._info(batch.info),
        )

    def render(self) -> np.ndarray | None:  # type: ignore[override]  # gymnasium's render returns a free TypeVar
        """The current RGB frame with render_mode="rgb_array" (Atari), else None."""
        return self._pool.render(env_id=0) if self.render_mode == "rgb_array" else None

    def get_action_meanings(self) -> list[str]:
        return self._pool.get_action_meanings()

    def close(self) -> None:
        self._pool.close()

    def _info(self, extra: np.ndarray) -> dict[str, int]:
        return {name: int(extra[0, k]) for k, name in self._info_columns}


class FastpoolEnvNoRender(FastpoolEnv):
    """A FastpoolEnv of an id that cannot render (classic control). gymnasium.make reads the
    entry point's class metadata before building: with no render modes listed, it passes
    render_mode="human" on as asked (instead of "rgb_array" under a HumanRendering wrapper),
    and the answer names the mode the user asked for."""

    metadata: dict[str, Any] = {"render_modes": [], "render_fps": None}  # noqa: RUF012
