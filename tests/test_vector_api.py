"""The gymnasium VectorEnv contract, checked against gymnasium's own SyncVectorEnv."""

import threading
import time

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode, SyncVectorEnv

import fastpool


def _sync_reference(n, mode, max_episode_steps=500):
    return SyncVectorEnv(
        [lambda: gym.make("CartPole-v1", max_episode_steps=max_episode_steps) for _ in range(n)],
        autoreset_mode=mode,
    )


@pytest.mark.parametrize("mode", [AutoresetMode.NEXT_STEP, AutoresetMode.SAME_STEP])
def test_autoreset_matches_sync_vector_env(rng, mode):
    """Modelled on gymnasium's tests/vector/test_autoreset_mode.py: same seed, same actions,
    the same outputs as SyncVectorEnv, final_obs/final_info included."""
    n = 6
    ours = fastpool.make("CartPole-v1", num_envs=n, seed=3, autoreset_mode=mode, max_episode_steps=30)
    ref = _sync_reference(n, mode, max_episode_steps=30)
    assert ours.metadata["autoreset_mode"] == ref.metadata["autoreset_mode"] == mode
    o1, _ = ours.reset(seed=3)
    o2, _ = ref.reset(seed=3)
    np.testing.assert_array_equal(o1, o2)
    finals = 0
    for _ in range(400):
        actions = rng.integers(0, 2, size=n)
        a = ours.step(actions)
        b = ref.step(actions)
        for x, y in zip(a[:4], b[:4]):
            np.testing.assert_array_equal(x, y)
        if mode == AutoresetMode.SAME_STEP and "final_obs" in b[4]:
            finals += 1
            np.testing.assert_array_equal(a[4]["_final_obs"], b[4]["_final_obs"])
            np.testing.assert_array_equal(a[4]["_final_info"], b[4]["_final_info"])
            for i in np.flatnonzero(b[4]["_final_obs"]):
                np.testing.assert_array_equal(a[4]["final_obs"][i], b[4]["final_obs"][i])
            for i in np.flatnonzero(~b[4]["_final_obs"]):
                assert a[4]["final_obs"][i] is None
        else:
            assert "final_obs" not in a[4]
    assert mode == AutoresetMode.NEXT_STEP or finals > 10


def test_next_step_autoreset_semantics():
    env = fastpool.make("CartPole-v1", num_envs=2, seed=0, max_episode_steps=5)
    env.reset()
    for _ in range(5):
        _, _, _, truncated, _ = env.step(np.zeros(2, dtype=np.int64))
    assert truncated.all()
    obs, reward, terminated, truncated, info = env.step(np.ones(2, dtype=np.int64))
    np.testing.assert_array_equal(reward, 0.0)
    assert not terminated.any() and not truncated.any()
    np.testing.assert_array_equal(info["elapsed_step"], 0)
    assert np.abs(obs).max() <= 0.05  # a fresh start


def test_same_step_final_info_has_the_last_step():
    env = fastpool.make("CartPole-v1", num_envs=2, seed=0, max_episode_steps=5, autoreset_mode="same_step")
    env.reset()
    for _ in range(5):
        obs, reward, _, truncated, info = env.step(np.zeros(2, dtype=np.int64))
    assert truncated.all()
    np.testing.assert_array_equal(reward, 1.0)
    np.testing.assert_array_equal(info["final_info"]["elapsed_step"], 5)
    np.testing.assert_array_equal(info["elapsed_step"], 0)
    assert np.abs(obs).max() <= 0.05
    assert all(np.abs(f).max() > 0.05 for f in info["final_obs"])


def test_spaces_and_attributes():
    env = fastpool.make("CartPole-v1", num_envs=5, seed=0)
    assert isinstance(env, gym.vector.VectorEnv)
    assert env.num_envs == 5
    assert env.single_action_space == gym.spaces.Discrete(2)
    assert env.action_space == gym.spaces.MultiDiscrete([2] * 5)
    assert env.observation_space.shape == (5, 4)
    obs, _info = env.reset()
    assert env.observation_space.contains(obs)
    obs, *_ = env.step(env.action_space.sample())
    assert env.observation_space.contains(obs)


@pytest.mark.parametrize(
    "name, batched", [("single_action_space", "action_space"), ("single_observation_space", "observation_space")]
)
def test_patching_a_single_space_with_the_batched_one_fails_at_once(name, batched):
    """EnvPool-era code patches `env.single_action_space = env.action_space`; here the batched
    space would replace the per-env one and fail much later ('MultiDiscrete' object has no
    attribute 'n'), so the assignment itself is refused, naming both spaces."""
    env = fastpool.make("Breakout", num_envs=3, seed=0)
    single, batch = getattr(env, name), getattr(env, batched)
    with pytest.raises(AttributeError, match=f"{name} is one env's space") as refused:
        setattr(env, name, batch)
    assert str(single) in str(refused.value) and str(batch) in str(refused.value)
    assert getattr(env, name) is single  # unchanged, and the pool works as before
    env.reset()
    env.step(np.full(3, env.single_action_space.n - 1))
    env.close()


def test_assigning_an_equal_single_space_is_accepted():
    env = fastpool.make("CartPole-v1", num_envs=2, seed=0)
    env.single_action_space = gym.spaces.Discrete(2)  # equal: harmless
    env.single_observation_space = env.single_observation_space
    with pytest.raises(AttributeError, match="Discrete\\(3\\)"):
        env.single_action_space = gym.spaces.Discrete(3)  # different, though per env
    with pytest.raises(AttributeError, match="refused"):
        env.single_action_space = None
    assert env.single_action_space == gym.spaces.Discrete(2)
    env.reset()
    env.step(env.action_space.sample())
    env.close()


def test_info_has_env_id_and_elapsed_step_with_masks():
    env = fastpool.make("CartPole-v1", num_envs=3, seed=0)
    _, info = env.reset()
    np.testing.assert_array_equal(info["env_id"], [0, 1, 2])
    np.testing.assert_array_equal(info["elapsed_step"], [0, 0, 0])
    assert info["_env_id"].all() and info["_elapsed_step"].all()
    _, _, _, _, info = env.step(np.zeros(3, dtype=np.int64))
    np.testing.assert_array_equal(info["elapsed_step"], [1, 1, 1])


def test_close_context_manager_and_repr():
    with fastpool.make("CartPole-v1", num_envs=2, seed=0) as env:
        assert "CartPole-v1" in repr(env) and "num_envs=2" in repr(env)
        env.reset()
    assert env.closed and "closed" in repr(env)
    env.close()  # idempotent


def test_held_arrays_are_never_overwritten():
    env = fastpool.make("CartPole-v1", num_envs=8, seed=0)
    held, _ = env.reset()
    copy = held.copy()
    results = [env.step(np.ones(8, dtype=np.int64)) for _ in range(20)]
    np.testing.assert_array_equal(held, copy)
    # and each step's arrays are distinct buffers while held
    assert len({r[0].ctypes.data for r in results}) == 20


def test_arrays_come_without_copies():
    env = fastpool.make("CartPole-v1", num_envs=4, seed=0)
    obs, _ = env.reset()
    assert not obs.flags.owndata and obs.base is not None
    # once released, buffers are recycled rather than reallocated
    addresses = set()
    for _ in range(20):
        obs, *_ = env.step(np.zeros(4, dtype=np.int64))
        addresses.add(obs.ctypes.data)
        del obs
    assert len(addresses) <= 6


def test_list_envs_and_aliases():
    assert "CartPole-v1" in fastpool.list_envs()
    assert fastpool.make("CartPole", num_envs=1, seed=0).env_id == "CartPole-v1"


@pytest.mark.parametrize("env_id, batch_size", [("CartPole-v1", None), ("Pong", 2)])
def test_len_is_the_number_of_envs(env_id, batch_size):
    with fastpool.make(env_id, num_envs=3, batch_size=batch_size) as env:
        assert len(env) == env.num_envs == 3  # every env, also where a batch holds fewer


def test_async_send_recv_returns_env_ids():
    env = fastpool.make("CartPole-v1", num_envs=8, batch_size=3, seed=0)
    env.async_reset()
    seen = []
    obs, _, _, _, info = env.recv()
    assert obs.shape == (3, 4) and len(info["env_id"]) == 3
    seen += list(info["env_id"])
    env.send(np.zeros(3, dtype=np.int64), info["env_id"])
    obs, _, _, _, info = env.recv()
    seen += list(info["env_id"])
    assert len(seen) == 6 and env.observation_space.shape == (3, 4)


@pytest.mark.parametrize("num_threads", [1, 3])
def test_sync_pool_steps_a_subset_with_send_and_recv(num_threads):
    """As EnvPool allows: in a sync pool, send() some env ids, then recv() returns exactly those
    envs' results, in env id order with their ids in info["env_id"]; the others stand still. Each
    env plays as it would stepped with the whole pool."""
    n = 6
    env = fastpool.make("CartPole-v1", num_envs=n, seed=3, num_threads=num_threads)
    ref = fastpool.make("CartPole-v1", num_envs=n, seed=3)
    obs, _ = env.reset()
    ref_obs, info = ref.reset()
    np.testing.assert_array_equal(obs, ref_obs)
    rng = np.random.default_rng(0)
    steps = np.zeros(n, dtype=int)
    # env i's observation and episode step after each of its steps, stepped with the whole pool
    history = {i: [(ref_obs[i].copy(), 0)] for i in range(n)}
    for _ in range(30):
        ref_obs, *_, info = ref.step(rng.integers(0, 2, size=n))
        for i in range(n):
            history[i].append((ref_obs[i].copy(), info["elapsed_step"][i]))
    rng = np.random.default_rng(0)
    actions = [rng.integers(0, 2, size=n) for _ in range(30)]
    for k in range(30):
        ids = np.flatnonzero(np.random.default_rng(k).random(n) < 0.5)
        if not len(ids):
            continue
        order = np.random.default_rng(k).permutation(ids)
        env.send(np.array([actions[steps[i]][i] for i in order]), order)
        obs, reward, terminated, _, info = env.recv()
        np.testing.assert_array_equal(info["env_id"], ids)
        assert obs.shape == (len(ids), 4) and reward.shape == terminated.shape == (len(ids),)
        assert info["_env_id"].shape == (len(ids),) and info["_env_id"].all()
        steps[ids] += 1
        for row, i in enumerate(ids):
            np.testing.assert_array_equal(obs[row], history[i][steps[i]][0])
            assert info["elapsed_step"][row] == history[i][steps[i]][1]
    assert steps.min() < steps.max()
    # two sends, one recv: the results of both, then whole-pool steps as usual
    env.send(np.zeros(2, dtype=np.int64), [4, 1])
    env.send(np.zeros(1, dtype=np.int64), [2])
    obs, *_, info = env.recv()
    np.testing.assert_array_equal(info["env_id"], [1, 2, 4])
    obs, *_, info = env.step(np.zeros(n, dtype=np.int64))
    assert obs.shape == (n, 4)
    np.testing.assert_array_equal(info["env_id"], np.arange(n))
    env.close()


@pytest.mark.parametrize("mode", ["same_step", "disabled"])
def test_sync_subset_episode_ends(mode):
    """Episode ends in a subset step: same-step autoreset hands over the final observation of the
    sent envs' rows; with autoreset disabled, only the envs that ended are refused until reset."""
    env = fastpool.make("CartPole-v1", num_envs=4, seed=0, max_episode_steps=3, autoreset_mode=mode)
    env.reset()
    for _ in range(3):
        env.send(np.zeros(2, dtype=np.int64), [3, 1])
        _, _, _, truncated, info = env.recv()
    np.testing.assert_array_equal(truncated, [True, True])
    if mode == "same_step":
        assert info["_final_obs"].all() and all(o.shape == (4,) for o in info["final_obs"])
        np.testing.assert_array_equal(info["final_info"]["elapsed_step"], [3, 3])
        np.testing.assert_array_equal(info["elapsed_step"], [0, 0])
    else:
        with pytest.raises(RuntimeError, match=r"env\(s\) \[1\] ended"):
            env.send(np.zeros(2, dtype=np.int64), [0, 1])
        env.send(np.zeros(2, dtype=np.int64), [0, 2])  # not ended: fine
        assert env.recv()[0].shape == (2, 4)
    env.close()


def test_a_sync_subset_batch_is_closed_once_recv_waits_for_it():
    """recv() of some envs waits for exactly those (through its 50-ms rounds that check for
    Ctrl-C); a send() from another thread meanwhile is refused, naming why, and lands after."""
    env = fastpool.make("_Faulty-v0", num_envs=4, num_threads=1, seed=0)
    env.reset()
    env.send(np.array([2]), np.array([0]))  # action 2: a 200-ms step
    got = {}
    waiter = threading.Thread(target=lambda: got.update(result=env.recv()))
    waiter.start()
    time.sleep(0.08)
    with pytest.raises(RuntimeError, match="recv\\(\\) was called for the 1 envs sent before"):
        env.send(np.array([0]), np.array([1]))
    waiter.join(timeout=10)
    obs, *_, info = got["result"]
    np.testing.assert_array_equal(info["env_id"], [0])
    np.testing.assert_array_equal(obs[:, 0], [1.0])
    env.send(np.array([0, 0]), np.array([1, 3]))
    obs, *_, info = env.recv()
    np.testing.assert_array_equal(info["env_id"], [1, 3])
    np.testing.assert_array_equal(obs[:, 0], [1.0, 1.0])
    # an env that fails in a batch of some: recv() raises, and the pool steps on
    env.send(np.array([1, 0]), np.array([2, 0]))
    with pytest.raises(RuntimeError, match="step failed on purpose"):
        env.recv()
    obs, *_ = env.step(np.zeros(4, dtype=np.int64))
    assert obs.shape == (4, 1)
    env.close()


def test_num_threads_default_never_exceeds_num_envs():
    assert fastpool.make("CartPole-v1", num_envs=1).num_threads == 1
    assert fastpool.make("CartPole-v1", num_envs=64).num_threads >= 1


def test_gymnasium_make_vec_builds_a_fastpool_pool():
    env = gym.make_vec("fastpool/CartPole-v1", num_envs=3, vectorization_mode="vector_entry_point")
    assert isinstance(env, fastpool.VectorEnv) and env.num_envs == 3
    obs, _ = env.reset(seed=5)
    np.testing.assert_array_equal(obs, fastpool.make("CartPole-v1", num_envs=3, seed=5).reset()[0])
    atari = gym.make_vec("fastpool/BreakoutNoFrameskip-v4", num_envs=2)  # the default mode picks it too
    assert atari.observation_space.shape == (2, 4, 84, 84)


def test_import_loads_no_trainer_or_cluster_library():
    """`import fastpool` must stay light: torch, Ray and SB3 load only with the parts that use them."""
    import subprocess
    import sys

    code = "import sys, fastpool; print(sorted(m for m in ('torch', 'ray', 'stable_baselines3') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_refused_reset_keeps_its_reset_mask():
    """Everything is checked before anything changes: a reset refused for its seed list leaves
    the reset_mask in the options, so the retry with a right seed list resets only the masked envs."""
    env = fastpool.make("CartPole-v1", num_envs=3, seed=0)
    first, _ = env.reset()
    opts = {"reset_mask": np.array([False, True, True])}
    with pytest.raises(ValueError, match="one entry per env"):
        env.reset(seed=[1, 2], options=opts)
    assert "reset_mask" in opts
    obs, info = env.reset(seed=[1, 2, 3], options=opts)
    assert "reset_mask" not in opts  # taken out once the reset is done, as gymnasium does
    np.testing.assert_array_equal(obs[0], first[0])  # env 0 kept its state
    np.testing.assert_array_equal(info["_env_id"], [False, True, True])
    assert env.np_random_seed == (0, 2, 3)


def test_a_refused_async_reset_keeps_its_reset_mask():
    env = fastpool.make("CartPole-v1", num_envs=4, seed=0, batch_size=2)
    env.async_reset()
    env.recv()
    env.recv()
    env.send(np.zeros(2, dtype=np.int64), np.array([0, 1]))
    env.send(np.zeros(2, dtype=np.int64), np.array([2, 3]))
    opts = {"reset_mask": np.array([True, True, False, False])}
    with pytest.raises(ValueError, match="one entry per env"):
        env.async_reset(seed=[1], options=opts)
    assert "reset_mask" in opts
    env.recv()
    env.recv()
    env.async_reset(seed=[5, 6, None, None], options=opts)
    assert "reset_mask" not in opts
    _, _, _, _, info = env.recv()
    assert sorted(info["env_id"].tolist()) == [0, 1]
    opts = {"reset_mask": np.array([False, False, True, True])}  # reset() of an async pool
    with pytest.raises(ValueError, match="one entry per env"):
        env.reset(seed=[1, 2, 3], options=opts)
    assert "reset_mask" in opts
    _, info = env.reset(seed=[None, None, 7, 8], options=opts)
    assert sorted(info["env_id"].tolist()) == [2, 3]
    assert env.np_random_seed == (5, 6, 7, 8)


def test_call_get_attr_set_attr_refuse_bad_arguments_by_name():
    env = fastpool.make("Breakout", num_envs=2, seed=0)
    env.reset()
    with pytest.raises(TypeError, match=r"attribute name must be a str, got list \['lives'\]"):
        env.get_attr(["lives"])
    with pytest.raises(TypeError, match="attribute name must be a str"):
        env.call(None)
    with pytest.raises(TypeError, match=r"render\(\) takes no arguments") as e:
        env.call("render", 1)
    assert "lambda" not in str(e.value)
    with pytest.raises(TypeError, match=r"get_action_meanings\(\) takes no arguments"):
        env.call("get_action_meanings", mode="x")
    with pytest.raises(TypeError, match="'lives' is an attribute, not a method"):
        env.call("lives", 1)
    with pytest.raises(
        AttributeError, match=r"^fastpool envs are configured by fastpool.make\(\); 'render_mode' cannot"
    ):
        env.set_attr("render_mode", [1])
    with pytest.raises(AttributeError, match="set_attr is not supported"):
        env.set_attr("render_mode", ["rgb_array", "rgb_array"])
    assert env.get_attr("lives") == (5, 5)  # still usable
