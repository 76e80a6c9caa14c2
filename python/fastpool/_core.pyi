"""
fastpool's C++ engine. Use fastpool.make(); this module is internal.
"""
from __future__ import annotations
import numpy
import typing
__all__: list[str] = ['AtariConfig', 'Autoreset', 'Batch', 'FinalStep', 'Pool', 'make_atari', 'make_classic_control', 'make_faulty']
class _Batch:
    pass
class Batch(tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray, numpy.ndarray, numpy.ndarray, numpy.ndarray, numpy.ndarray, FinalStep | None]):
    """
    One result of a pool: numpy views of the engine's buffers, row r for env env_id[r].
    """
    __match_args__: typing.ClassVar[tuple[str, ...]] = ('obs', 'reward', 'terminated', 'truncated', 'env_id', 'elapsed_step', 'info', 'final')
    n_fields: typing.ClassVar[int] = 8
    n_sequence_fields: typing.ClassVar[int] = 8
    n_unnamed_fields: typing.ClassVar[int] = 0
    @property
    def obs(self) -> numpy.ndarray:
        """
        observations, (rows, *obs_shape)
        """
    @property
    def reward(self) -> numpy.ndarray:
        """
        float64 (rows,)
        """
    @property
    def terminated(self) -> numpy.ndarray:
        """
        bool (rows,)
        """
    @property
    def truncated(self) -> numpy.ndarray:
        """
        bool (rows,)
        """
    @property
    def env_id(self) -> numpy.ndarray:
        """
        int32 (rows,): the env each row comes from
        """
    @property
    def elapsed_step(self) -> numpy.ndarray:
        """
        int32 (rows,): steps since the env's episode began
        """
    @property
    def info(self) -> numpy.ndarray:
        """
        int32 (rows, len(info_names)): the env's extra info columns
        """
    @property
    def final(self) -> FinalStep | None:
        """
        None, or with same-step autoreset a FinalStep: the last step of the episodes that ended
        """
class FinalStep(tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]):
    """
    Same-step autoreset: the last step of the episodes that ended in a Batch.
    """
    __match_args__: typing.ClassVar[tuple[str, ...]] = ('obs', 'elapsed_step', 'info')
    n_fields: typing.ClassVar[int] = 3
    n_sequence_fields: typing.ClassVar[int] = 3
    n_unnamed_fields: typing.ClassVar[int] = 0
    @property
    def obs(self) -> numpy.ndarray:
        """
        the last observation of each row's episode (rows that did not end: stale)
        """
    @property
    def elapsed_step(self) -> numpy.ndarray:
        """
        int32 (rows,): that episode's length
        """
    @property
    def info(self) -> numpy.ndarray:
        """
        int32 (rows, len(info_names)): its last extra info
        """
class Autoreset:
    """
    Members:
    
      NEXT_STEP
    
      SAME_STEP
    
      DISABLED
    """
    DISABLED: typing.ClassVar[Autoreset]
    NEXT_STEP: typing.ClassVar[Autoreset]
    SAME_STEP: typing.ClassVar[Autoreset]
    __members__: typing.ClassVar[dict[str, Autoreset]]
    @typing.overload
    def __eq__(self, other: Autoreset) -> bool:
        ...
    @typing.overload
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> int:
        ...
    def __hash__(self) -> int:
        ...
    def __index__(self) -> int:
        ...
    def __init__(self, value: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __int__(self) -> int:
        ...
    @typing.overload
    def __ne__(self, other: Autoreset) -> bool:
        ...
    @typing.overload
    def __ne__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, state: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __str__(self) -> str:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def value(self) -> int:
        ...
class Pool:
    """
    num_envs envs stepped by C++ worker threads; fastpool.VectorEnv wraps it.
    """
    def close(self) -> None:
        """
        Stop the workers; any later call raises. Idempotent.
        """
    def counters(self, env_id: typing.SupportsInt | typing.SupportsIndex) -> dict:
        """
        What env_id counts of its own work, by name (e.g. Atari's reset snapshots).
        """
    def recv(self, help: bool = False) -> Batch:
        """
        Wait for the next batch_size results (a sync pool: those of the envs sent since the last recv(), in env id order), a batch as step() returns it (help: the calling thread steps queued envs too).
        """
    def render(self, env_id: typing.SupportsInt | typing.SupportsIndex) -> numpy.ndarray:
        """
        env_id's current screen, uint8 render_shape.
        """
    def reset(self, seeds: typing.Any, seeded: typing.Any = None, keep: typing.Any = None) -> Batch:
        """
        Reset every env (sync pools), or those not kept (keep: bool per env); seeds: None or one per env.
        """
    def send(self, actions: typing.Any, env_ids: typing.Any) -> None:
        """
        Queue one step for each env in env_ids (None: every env) and return at once.
        """
    def send_reset(self, env_ids: typing.Any, seeds: typing.Any, seeded: typing.Any = None, caller_helps: bool = False) -> None:
        ...
    def step(self, actions: typing.Any) -> Batch:
        """
        Step every env (sync pools), the GIL released. Returns a Batch (obs, reward, terminated, truncated, env_id, elapsed_step, info, final): numpy views of the engine's buffers; info is (rows, len(info_names) + words of info_bytes) int32; final is None or a FinalStep (obs, elapsed_step, info).
        """
    @property
    def action_dim(self) -> int:
        ...
    @property
    def action_high(self) -> list[float]:
        ...
    @property
    def action_low(self) -> list[float]:
        ...
    @property
    def action_names(self) -> list[str]:
        ...
    @property
    def autoreset(self) -> Autoreset:
        ...
    @property
    def batch_size(self) -> int:
        ...
    @property
    def closed(self) -> bool:
        ...
    @property
    def info_bytes(self) -> int:
        """
        its length in bytes (0 if none)
        """
    @property
    def info_bytes_name(self) -> str:
        """
        the name of the info byte block after the info_names columns ('' if none)
        """
    @property
    def info_names(self) -> list[str]:
        ...
    @property
    def num_actions(self) -> int:
        ...
    @property
    def num_envs(self) -> int:
        ...
    @property
    def num_threads(self) -> int:
        ...
    @property
    def obs_dtype(self) -> numpy.dtype[typing.Any]:
        ...
    @property
    def obs_shape(self) -> list[int]:
        ...
    @property
    def render_shape(self) -> list[int]:
        ...
class AtariConfig:
    """
    One Atari game and its preprocessing (fastpool.make's options).
    """
    episodic_life: bool
    full_action_space: bool
    gray_scale: bool
    maxpool: bool
    reward_clip: bool
    rom_path: str
    use_fire_reset: bool
    def __init__(self) -> None:
        ...
    @property
    def difficulty(self) -> int | None:
        """
        ALE's game difficulty; None: the ROM's default
        """
    @difficulty.setter
    def difficulty(self, arg0: typing.SupportsInt | typing.SupportsIndex | None) -> None:
        ...
    @property
    def frame_skip(self) -> int:
        ...
    @frame_skip.setter
    def frame_skip(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def img_height(self) -> int:
        ...
    @img_height.setter
    def img_height(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def img_width(self) -> int:
        ...
    @img_width.setter
    def img_width(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def max_episode_steps(self) -> int:
        ...
    @max_episode_steps.setter
    def max_episode_steps(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def mode(self) -> int | None:
        """
        ALE's game mode; None: the ROM's default
        """
    @mode.setter
    def mode(self, arg0: typing.SupportsInt | typing.SupportsIndex | None) -> None:
        ...
    @property
    def noop_max(self) -> int:
        ...
    @noop_max.setter
    def noop_max(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def ram_info(self) -> bool:
        """
        report the 128-byte RAM as info bytes too
        """
    @ram_info.setter
    def ram_info(self, arg0: bool) -> None:
        ...
    @property
    def ram_obs(self) -> bool:
        """
        observe the 128-byte RAM instead of the screen
        """
    @ram_obs.setter
    def ram_obs(self, arg0: bool) -> None:
        ...
    @property
    def repeat_action_probability(self) -> float:
        ...
    @repeat_action_probability.setter
    def repeat_action_probability(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def stack_num(self) -> int:
        ...
    @stack_num.setter
    def stack_num(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
def _exiting() -> None:
    """
    Called at interpreter exit: other threads returning from the engine then wait for the end.
    """
def _stream_doubles(arg0: typing.SupportsInt | typing.SupportsIndex, arg1: typing.SupportsInt | typing.SupportsIndex) -> list[float]:
    ...
def _stream_integers(arg0: typing.SupportsInt | typing.SupportsIndex, arg1: typing.SupportsInt | typing.SupportsIndex, arg2: typing.SupportsInt | typing.SupportsIndex, arg3: typing.SupportsInt | typing.SupportsIndex) -> list[int]:
    ...
def make_atari(config: AtariConfig, num_envs: typing.SupportsInt | typing.SupportsIndex, num_threads: typing.SupportsInt | typing.SupportsIndex, batch_size: typing.SupportsInt | typing.SupportsIndex, autoreset: Autoreset, seed: typing.SupportsInt | typing.SupportsIndex, memory_bytes: typing.SupportsInt | typing.SupportsIndex = 0) -> Pool:
    """
    A pool of one Atari game with the preprocessing config describes (memory_bytes: what it needs, for the MemoryError if it does not fit).
    """
def make_classic_control(name: str, num_envs: typing.SupportsInt | typing.SupportsIndex, num_threads: typing.SupportsInt | typing.SupportsIndex, batch_size: typing.SupportsInt | typing.SupportsIndex, autoreset: Autoreset, seed: typing.SupportsInt | typing.SupportsIndex, max_episode_steps: typing.SupportsInt | typing.SupportsIndex, memory_bytes: typing.SupportsInt | typing.SupportsIndex = 0, batched: bool = True) -> Pool:
    """
    A pool of one classic-control env, named as its registry entry's core_name ("CartPole", "Pendulum", ...). batched: each worker steps a chunk of envs in one call (False: one env per call, the per-env path, which steps the same trajectories).
    """
def make_faulty(num_envs: typing.SupportsInt | typing.SupportsIndex, num_threads: typing.SupportsInt | typing.SupportsIndex, batch_size: typing.SupportsInt | typing.SupportsIndex, autoreset: Autoreset, seed: typing.SupportsInt | typing.SupportsIndex, memory_bytes: typing.SupportsInt | typing.SupportsIndex = 0) -> Pool:
    ...
