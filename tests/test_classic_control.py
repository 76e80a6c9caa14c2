"""Acrobot, MountainCar, MountainCarContinuous and Pendulum against gymnasium's own envs,
step for step (gymnasium's SyncVectorEnv, same seeds, same actions), and float actions."""

import os
import subprocess
import sys
import textwrap
import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import data_equivalence
from gymnasium.vector import SyncVectorEnv

import fastpool

NUMPY_2 = int(np.__version__.split(".")[0]) >= 2
CONTINUOUS = {"MountainCarContinuous-v0", "Pendulum-v1"}


def _actions(env_id, obs, rng, space):
    """Random actions, half the time replaced by a policy that reaches the goal (so terminal
    branches run); float actions reach 1.5x the bounds, to exercise the env's clipping."""
    if env_id in CONTINUOUS:
        high = space.high[0]
        a = rng.uniform(-1.5 * high, 1.5 * high, size=space.shape).astype(np.float32)
        if env_id.startswith("MountainCar") and rng.random() < 0.5:
            a = np.where(obs[:, 1:2] > 0, 1.2, -1.2).astype(np.float32)  # pump energy
        return a
    a = rng.integers(0, space.nvec[0] if hasattr(space, "nvec") else 3, size=len(obs))
    if env_id.startswith("MountainCar") and rng.random() < 0.5:
        a = np.where(obs[:, 1] > 0, 2, 0)
    if env_id.startswith("Acrobot") and rng.random() < 0.5:
        a = np.where(obs[:, 5] > 0, 2, 0)  # torque with the second joint's velocity: swings up
    return a


@pytest.mark.parametrize("env_id", ["Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1"])
def test_matches_gymnasium_step_for_step(env_id):
    if not NUMPY_2 and env_id != "MountainCar-v0":
        # numpy 1.x computes these envs' float32 arithmetic by older promotion rules and, on
        # AVX-512 machines, float64 sin/cos with its own SIMD code; fastpool follows numpy 2
        # (NEP 50, the C library's sin/cos). MountainCar uses Python's math module only.
        pytest.skip("exact for numpy >= 2 only")
    n, seed, rng = 6, 11, np.random.default_rng(0)
    ref = SyncVectorEnv([lambda: gym.make(env_id) for _ in range(n)])
    pool = fastpool.make(env_id, num_envs=n, seed=seed, info_keys="gymnasium")
    assert pool.single_observation_space == ref.single_observation_space
    assert pool.single_action_space == ref.single_action_space
    obs, info = pool.reset()
    ref_obs, ref_info = ref.reset(seed=[seed + i for i in range(n)])
    assert data_equivalence((obs, info), (ref_obs, ref_info), exact=True)
    ends = terminations = 0
    for _ in range(1500):
        actions = _actions(env_id, obs, rng, pool.action_space)
        got = pool.step(actions)
        want = ref.step(actions)
        assert data_equivalence(got, want, exact=True), (got, want)
        obs = got[0]
        ends += int((got[2] | got[3]).sum())
        terminations += int(got[2].sum())
    assert ends >= n  # every env reset at least about once
    if env_id != "Pendulum-v1":  # Pendulum never terminates
        assert terminations > 0


def test_float_actions_are_checked():
    pool = fastpool.make("Pendulum-v1", num_envs=3, seed=0)
    pool.reset()
    with pytest.raises(ValueError, match="not finite"):
        pool.step(np.array([[0.0], [np.nan], [0.0]], dtype=np.float32))
    with pytest.raises(ValueError, match="not finite"):
        pool.step(np.array([[np.inf], [0.0], [0.0]]))
    with pytest.raises(ValueError, match=r"shape \(3, 1\)"):
        pool.step(np.zeros(3, dtype=np.float32))
    with pytest.raises(TypeError, match="real numbers"):
        pool.step(np.zeros((3, 1), dtype=bool))
    # refused actions stepped nothing; float64 and int arrays are cast to float32
    assert (pool.step(np.zeros((3, 1)))[4]["elapsed_step"] == 1).all()
    assert (pool.step(np.ones((3, 1), dtype=np.int64))[4]["elapsed_step"] == 2).all()


def test_out_of_bounds_actions_are_clipped_as_gymnasium_clips_them():
    """Pendulum clips the torque to [-2, 2], as gymnasium's env does (no error)."""
    a, b = (fastpool.make("Pendulum-v1", num_envs=1, seed=3) for _ in range(2))
    a.reset(), b.reset()
    big = a.step(np.array([[50.0]], dtype=np.float32))
    edge = b.step(np.array([[2.0]], dtype=np.float32))
    np.testing.assert_array_equal(big[0], edge[0])


def test_async_float_actions():
    pool = fastpool.make("MountainCarContinuous-v0", num_envs=4, batch_size=2, seed=0)
    pool.async_reset()
    for _ in range(20):
        *_, info = pool.recv()
        pool.send(np.full((2, 1), 0.5, dtype=np.float32), info["env_id"])
    pool.recv()
    with pytest.raises(ValueError, match=r"shape \(2, 1\)"):
        pool.send(np.zeros((3, 1), dtype=np.float32), np.array([0, 1]))


def test_discrete_envs_refuse_float_actions():
    pool = fastpool.make("Acrobot-v1", num_envs=2, seed=0)
    pool.reset()
    with pytest.raises(TypeError):
        pool.step(np.zeros(2, dtype=np.float32))


def test_single_env_passes_gymnasium_check_env():
    from gymnasium.utils.env_checker import check_env

    for env_id in ("fastpool/Pendulum-v1", "fastpool/Acrobot-v1"):
        env = gym.make(env_id)
        check_env(env.unwrapped, skip_render_check=True)
        env.close()


@pytest.mark.parametrize("algo", ["SAC", "TD3", "PPO"])
def test_sb3_trains_on_pendulum(algo):
    sb3 = pytest.importorskip("stable_baselines3")
    env = fastpool.make_sb3("Pendulum-v1", n_envs=2, seed=0)
    assert isinstance(env.action_space, gym.spaces.Box)
    kwargs = {"n_steps": 64, "batch_size": 64} if algo == "PPO" else {"learning_starts": 50}
    model = getattr(sb3, algo)("MlpPolicy", env, seed=0, device="cpu", **kwargs)
    model.learn(256)
    assert model.num_timesteps >= 256
    env.close()


def test_cli_bench_takes_float_action_envs():
    from fastpool.__main__ import steps_per_second

    assert steps_per_second("Pendulum-v1", num_envs=4, seconds=0.05) > 0
    assert steps_per_second("Acrobot-v1", num_envs=4, seconds=0.05) > 0


def _run_under_address_space_limit(code: str, headroom_mib: int = 150) -> subprocess.CompletedProcess:
    """code in a child process whose address space (RLIMIT_AS) is capped at its size plus headroom;
    then a small pool must work there."""
    child = f"""
import resource
import pytest
import fastpool
from fastpool import _core
used = int(open("/proc/self/statm").read().split()[0]) * resource.getpagesize()
resource.setrlimit(resource.RLIMIT_AS, (used + {headroom_mib} * 2**20, resource.RLIM_INFINITY))
{textwrap.dedent(code)}
env = fastpool.make("Pendulum-v1", num_envs=4, num_threads=1)
env.reset(seed=0)
env.step(env.action_space.sample())
print("ok")
"""
    return subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc: Linux")
@pytest.mark.skipif(bool(os.environ.get("FASTPOOL_SANITIZER")), reason="sanitizers reserve terabytes of address space")
@pytest.mark.parametrize("num_threads", [1, 2])
def test_a_pool_too_big_for_the_address_space_is_a_memory_error(num_threads):
    """make() checks the memory need of every family against RLIMIT_AS too, before allocating;
    the engine turns an allocation failure while building into a MemoryError saying how much was
    needed, never an abort ("cannot allocate memory for thread-local data") nor a bare bad_alloc."""
    args = (
        f"args = dict(name='Pendulum', num_envs=2**20, num_threads={num_threads}, batch_size=2**20,"
        " autoreset=_core.Autoreset.NEXT_STEP, seed=0, max_episode_steps=200)"
    )
    for code in [
        f"""
        limit = r"envs need about .* MiB .*; the address-space limit .*leaves this process"
        with pytest.raises(MemoryError, match=limit):
            fastpool.make("Pendulum-v1", num_envs=2**20, num_threads={num_threads})
        """,
        # the engine without make()'s check: first its own check of make()'s estimate...
        f"""
        {args}
        with pytest.raises(MemoryError, match="before building a pool of 1048576 envs, which needs about 9.31 GiB"):
            _core.make_classic_control(**args, memory_bytes=10**10)
        """,
        # ...then, with no estimate, the allocations themselves fail
        f"""
        {args}
        with pytest.raises(MemoryError, match="out of memory while building a pool of 1048576 envs"):
            _core.make_classic_control(**args)
        """,
    ]:
        got = _run_under_address_space_limit(code)
        assert got.returncode == 0 and got.stdout.strip() == "ok", got.stderr


def test_every_family_states_its_memory_need():
    from fastpool.families import CLASSIC_CONTROL_ENV_BYTES, FAMILIES, env_options

    for family in FAMILIES.values():
        assert family.memory is not None
    need = FAMILIES["classic_control"].memory(env_options("Pendulum-v1"), 2**20, 2**20)
    assert need > 2**20 * CLASSIC_CONTROL_ENV_BYTES  # the envs and the batch buffers


@pytest.mark.parametrize("env_id", ["Pendulum-v1", "MountainCarContinuous-v0"])
def test_finite_float64_actions_beyond_float32_are_clipped_as_gymnasium_clips_them(env_id):
    """1e39 is finite: gymnasium's env clips it to its bounds; fastpool does the same (it is not
    "inf ... not finite", and numpy warns of no overflow)."""
    pool, edge = (fastpool.make(env_id, num_envs=3, seed=3, info_keys="gymnasium") for _ in range(2))
    pool.reset(), edge.reset()
    high = float(pool.single_action_space.high[0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = pool.step(np.array([[1e39], [-1e300], [np.finfo(np.float64).max]]))
    want = edge.step(np.array([[high], [-high], [high]], dtype=np.float32))
    ref = gym.make(env_id)
    ref.reset(seed=3)
    np.testing.assert_array_equal(got[0][0], ref.step(np.array([1e39]))[0])  # gymnasium's own answer
    np.testing.assert_array_equal(got[0], want[0])  # the env clipped it, as it clips 2.0 (or 1.0)
    if env_id == "Pendulum-v1":  # MountainCarContinuous's reward reads the unclipped action
        assert data_equivalence(got, want, exact=True)
    with pytest.raises(ValueError, match="not finite"):  # inf and NaN stay refused
        pool.step(np.array([[np.inf], [0.0], [0.0]], dtype=np.longdouble))
