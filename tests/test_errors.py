"""Bad input gets a clear Python exception, never a crash or a hang, and the pool stays usable."""

import threading
import time

import numpy as np
import pytest

import fastpool

N = 4


@pytest.fixture
def env():
    e = fastpool.make("CartPole-v1", num_envs=N, seed=0)
    e.reset()
    yield e
    e.close()


def assert_usable(env):
    obs, *_ = env.step(np.zeros(env.num_envs, dtype=np.int64))
    assert obs.shape[0] == env.num_envs


@pytest.mark.parametrize(
    "actions, error, match",
    [
        (np.zeros(N - 1, dtype=np.int64), ValueError, r"shape \(4,\)"),
        (np.zeros(N + 1, dtype=np.int64), ValueError, r"shape \(4,\)"),
        (np.zeros((N, 1), dtype=np.int64), ValueError, r"shape \(4,\)"),
        (np.zeros(N, dtype=np.float32), TypeError, "integers"),
        (np.full(N, np.nan), TypeError, "integers"),
        (np.full(N, np.inf), TypeError, "integers"),
        (np.ones(N, dtype=bool), TypeError, "integers"),
        (np.array([0, 1, 2, 0]), ValueError, "action 2 .* out of range"),
        (np.array([0, -1, 0, 0]), ValueError, "action -1 .* out of range"),
        (np.array([0, 2**40, 0, 0]), ValueError, "out of range"),
        (np.array([0, 2**64 - 1, 0, 0], dtype=np.uint64), ValueError, "out of range"),
        (["a", "b", "c", "d"], TypeError, "integers"),
        (None, TypeError, "integers"),
        (3, TypeError, "scalar"),  # gymnasium: TypeError for a scalar action batch
    ],
)
def test_bad_actions(env, actions, error, match):
    with pytest.raises(error, match=match):
        env.step(actions)
    assert_usable(env)


def test_actions_of_a_whole_step_checked_by_value_not_by_bits():
    """With 3 actions, 1 and 2 together set the bits of 3: both are in range and step as sent env
    by env (each checked on its own) does; a 3 is refused, named."""
    env, ref = (fastpool.make("MountainCar-v0", num_envs=4, seed=0) for _ in range(2))
    env.reset(seed=0)
    ref.reset(seed=0)
    for actions in ([1, 2, 2, 1], [2, 2, 1, 1], [0, 2, 1, 2]):
        obs = env.step(np.array(actions))[0]
        ref.send(np.array(actions), np.arange(4))
        np.testing.assert_array_equal(obs, ref.recv()[0])
    with pytest.raises(ValueError, match=r"action 3 for env 2 is out of range \[0, 3\)"):
        env.step(np.array([1, 2, 3, 0]))
    ref.send(np.ones(4, dtype=np.int64), np.arange(4))
    np.testing.assert_array_equal(env.step(np.ones(4, dtype=np.int64))[0], ref.recv()[0])  # nothing stepped before


def test_lists_and_other_int_dtypes_are_accepted(env):
    env.step([0, 1, 0, 1])
    env.step(np.array([1, 0, 1, 0], dtype=np.uint8))
    env.step(np.array([1, 0, 1, 0], dtype=np.int32)[::-1])  # non-contiguous views are fine
    assert_usable(env)


@pytest.mark.parametrize("num_envs", [0, -1])
def test_bad_num_envs(num_envs):
    with pytest.raises(ValueError, match=r"num_envs must be in \[1, 1048576\]"):
        fastpool.make("CartPole-v1", num_envs=num_envs)


def test_huge_num_envs():
    with pytest.raises(ValueError, match="num_envs"):
        fastpool.make("CartPole-v1", num_envs=10**9)


@pytest.mark.parametrize("bad", [0, -2])
def test_bad_num_threads(bad):
    with pytest.raises(ValueError, match=r"num_threads must be in \[1, 1024\]"):
        fastpool.make("CartPole-v1", num_envs=2, num_threads=bad)


@pytest.mark.parametrize("bad", [0, 5])
def test_bad_batch_size(bad):
    with pytest.raises(ValueError, match="batch_size"):
        fastpool.make("CartPole-v1", num_envs=4, batch_size=bad)


def test_wrong_types_for_make_arguments():
    with pytest.raises(TypeError, match="num_envs must be an int"):
        fastpool.make("CartPole-v1", num_envs=2.0)
    with pytest.raises(TypeError, match="seed"):
        fastpool.make("CartPole-v1", num_envs=2, seed=1.5)
    with pytest.raises(ValueError, match="seed"):
        fastpool.make("CartPole-v1", num_envs=2, seed=-1)
    with pytest.raises(TypeError, match="no option"):
        fastpool.make("CartPole-v1", num_envs=2, frame_skip=4)
    with pytest.raises(ValueError, match="autoreset_mode"):
        fastpool.make("CartPole-v1", num_envs=2, autoreset_mode="sometimes")
    with pytest.raises(ValueError, match="max_episode_steps"):
        fastpool.make("CartPole-v1", num_envs=2, max_episode_steps=0)


def test_unknown_env_id_suggests_close_names():
    with pytest.raises(ValueError, match="CartPole-v1"):
        fastpool.make("CartPol-v1", num_envs=2)
    with pytest.raises(ValueError, match="list_envs"):
        fastpool.make("NoSuchGame", num_envs=2)
    with pytest.raises(TypeError):
        fastpool.make(42, num_envs=2)


def test_step_before_reset():
    env = fastpool.make("CartPole-v1", num_envs=2, seed=0)
    with pytest.raises(RuntimeError, match="reset"):
        env.step(np.zeros(2, dtype=np.int64))
    env.reset()
    assert_usable(env)


def test_recv_without_send(env):
    with pytest.raises(RuntimeError, match="recv\\(\\) would wait forever"):
        env.recv()
    assert_usable(env)


@pytest.mark.parametrize(
    "env_ids, match",
    [([0, 0], "appears twice"), ([0, 4], "out of range"), ([-1, 0], "out of range")],
)
def test_bad_env_ids(env_ids, match):
    env = fastpool.make("CartPole-v1", num_envs=N, batch_size=2, seed=0)
    env.async_reset()
    env.recv()
    env.recv()
    with pytest.raises(ValueError, match=match):
        env.send(np.zeros(2, dtype=np.int64), np.array(env_ids))
    env.send(np.zeros(2, dtype=np.int64), np.array([0, 1]))  # usable, and the failed send left no trace
    assert env.recv()[0].shape == (2, 4)


def test_env_ids_wrong_length_or_type(env):
    env2 = fastpool.make("CartPole-v1", num_envs=N, batch_size=2, seed=0)
    env2.async_reset()
    env2.recv()
    env2.recv()
    with pytest.raises(ValueError, match="shape"):
        env2.send(np.zeros(3, dtype=np.int64), np.array([0, 1]))
    with pytest.raises(TypeError, match="integers"):
        env2.send(np.zeros(2, dtype=np.int64), np.array([0.0, 1.0]))
    env2.send(np.zeros(2, dtype=np.int64), np.array([0, 1]))
    env2.recv()


def test_send_to_an_env_in_flight():
    env = fastpool.make("CartPole-v1", num_envs=N, batch_size=2, seed=0)
    env.async_reset()
    with pytest.raises(RuntimeError, match="not yet received"):
        env.send(np.zeros(1, dtype=np.int64), np.array([3]))
    env.recv()


def test_step_in_async_mode_points_to_send_recv():
    env = fastpool.make("CartPole-v1", num_envs=N, batch_size=2, seed=0)
    env.async_reset()
    env.recv()
    env.recv()
    with pytest.raises(RuntimeError, match="send\\(\\)/recv\\(\\)"):
        env.step(np.zeros(N, dtype=np.int64))


@pytest.mark.parametrize(
    "seed, error",
    [
        (-1, ValueError),
        (2**64, ValueError),
        (1.5, TypeError),
        ("0", TypeError),
        ([1, 2], ValueError),
        ([1, 2, 3, -4], ValueError),
        ([1, 2, 3, 4.0], TypeError),
        (True, TypeError),
    ],
)
def test_bad_reset_seeds(env, seed, error):
    with pytest.raises(error, match="seed"):
        env.reset(seed=seed)
    assert_usable(env)


def test_unsupported_reset_options(env):
    with pytest.raises(ValueError, match="options"):
        env.reset(options={"low": -1})
    assert_usable(env)


@pytest.mark.parametrize("call", ["step", "reset", "send", "recv", "async_reset"])
def test_calls_after_close(call):
    env = fastpool.make("CartPole-v1", num_envs=2, seed=0)
    env.reset()
    env.close()
    args = {"step": (np.zeros(2, dtype=np.int64),), "send": (np.zeros(2, dtype=np.int64),)}.get(call, ())
    with pytest.raises(RuntimeError, match="closed"):
        getattr(env, call)(*args)


def test_worker_exception_reaches_the_caller_and_pool_recovers():
    env = fastpool.make("_Faulty-v0", num_envs=8, num_threads=2, seed=0)
    env.reset()
    actions = np.zeros(8, dtype=np.int64)
    actions[5] = 1
    with pytest.raises(RuntimeError, match="failed on purpose"):
        env.step(actions)
    _obs, _reward, _terminated, _truncated, info = env.step(np.zeros(8, dtype=np.int64))
    assert info["elapsed_step"][5] == 0  # the failed env was reset
    assert (info["elapsed_step"][np.arange(8) != 5] == 2).all()


def test_worker_exception_in_async_mode():
    env = fastpool.make("_Faulty-v0", num_envs=4, batch_size=2, num_threads=2, seed=0)
    env.async_reset()
    env.recv()
    env.recv()
    env.send(np.array([1, 0]), np.array([0, 1]))
    with pytest.raises(RuntimeError, match="failed on purpose"):
        env.recv()
    env.send(np.array([0, 0]), np.array([0, 1]))
    assert env.recv()[0].shape == (2, 1)


def test_concurrent_recv_from_two_threads_is_refused():
    env = fastpool.make("_Faulty-v0", num_envs=2, batch_size=1, num_threads=1, seed=0)
    env.async_reset()
    env.recv()
    env.recv()
    errors = []
    # env 0's result is pending; one thread takes it while the other is refused or served
    env.send(np.array([0]), np.array([0]))
    env.send(np.array([0]), np.array([1]))

    def take():
        try:
            env.recv()
        except RuntimeError as e:
            errors.append(e)

    threads = [threading.Thread(target=take) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert not any(t.is_alive() for t in threads)
    assert all("another thread" in str(e) for e in errors)


def test_recv_that_can_never_complete_is_refused():
    """An async pool's recv() needs batch_size results pending; a sync pool's, one (it returns
    the envs sent)."""
    env = fastpool.make("CartPole-v1", num_envs=3, batch_size=2, seed=0)
    env.async_reset()
    _, *_, info = env.recv()
    with pytest.raises(RuntimeError, match="wait forever: 1 env results are pending but batch_size is 2"):
        env.recv()
    env.send(np.zeros(2, dtype=np.int64), info["env_id"])
    assert env.recv()[0].shape == (2, 4)
    env = fastpool.make("CartPole-v1", num_envs=2, seed=0)
    env.reset()
    with pytest.raises(RuntimeError, match="wait forever: no env results are pending"):
        env.recv()
    env.send(np.zeros(1, dtype=np.int64), np.array([0]))
    assert env.recv()[0].shape == (1, 4)


def test_close_wakes_a_thread_waiting_in_recv():
    env = fastpool.make("_Faulty-v0", num_envs=1, seed=0)
    env.reset()
    env.send(np.array([2]), np.array([0]))  # a slow step
    errors = []

    def wait():
        try:
            env.recv()
        except RuntimeError as e:
            errors.append(str(e))

    waiter = threading.Thread(target=wait)
    waiter.start()
    time.sleep(0.05)
    env.close()
    waiter.join(timeout=10)
    assert not waiter.is_alive()
    assert len(errors) == 1 and "closed" in errors[0]


def test_zero_size_batches_are_refused():
    env = fastpool.make("CartPole-v1", num_envs=N, batch_size=2, seed=0)
    env.async_reset()
    env.recv()
    env.recv()
    with pytest.raises(ValueError, match="at least one env id"):
        env.send(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    env.send(np.zeros(2, dtype=np.int64), np.array([0, 1]))
    assert env.recv()[0].shape == (2, 4)


def test_read_only_action_arrays_are_accepted(env):
    actions = np.zeros(N, dtype=np.int64)
    actions.setflags(write=False)
    env.step(actions)
    assert_usable(env)


@pytest.mark.parametrize(
    "env_id, error, match",
    [
        (-1, ValueError, "out of range"),
        (N, ValueError, "out of range"),
        (1.5, TypeError, "env_id"),
        ("0", TypeError, "env_id"),
    ],
)
def test_bad_render_calls(env_id, error, match):
    env = fastpool.make("Breakout", num_envs=N, seed=0)
    env.reset()
    with pytest.raises(error, match=match):
        env.render(env_id)
    assert env.render(0).shape == (210, 160, 3)


def test_render_unsupported_before_reset_and_in_flight():
    cartpole = fastpool.make("CartPole-v1", num_envs=2, seed=0)
    cartpole.reset()
    with pytest.raises(RuntimeError, match="cannot render"):
        cartpole.render(0)
    atari = fastpool.make("Breakout", num_envs=2, batch_size=1, seed=0)
    with pytest.raises(RuntimeError, match="reset"):
        atari.render(0)
    atari.async_reset()
    with pytest.raises(RuntimeError, match="in flight"):
        atari.render(0)  # env 0's reset result not received yet
    atari.recv()
    atari.recv()
    assert atari.render(0).shape == (210, 160, 3)


@pytest.mark.parametrize(
    "actions, error, match",
    [
        (np.zeros(3, dtype=np.int64), ValueError, "shape"),
        (np.zeros(N, dtype=np.float64), TypeError, "integers"),
        (np.full(N, 4), ValueError, "out of range"),
        (np.full(N, np.iinfo(np.int64).min), ValueError, "out of range"),
    ],
)
def test_bad_atari_actions(actions, error, match):
    env = fastpool.make("Breakout", num_envs=N, seed=0)
    env.reset()
    with pytest.raises(error, match=match):
        env.step(actions)
    assert env.step(np.zeros(N, dtype=np.int64))[0].shape == (N, 4, 84, 84)


def test_atari_step_before_reset_and_after_close():
    env = fastpool.make("Pong", num_envs=2, seed=0)
    with pytest.raises(RuntimeError, match="reset"):
        env.step(np.zeros(2, dtype=np.int64))
    env.reset()
    env.close()
    with pytest.raises(RuntimeError, match="closed"):
        env.step(np.zeros(2, dtype=np.int64))
    with pytest.raises(RuntimeError, match="closed"):
        env.render(0)


def test_calls_from_another_thread_while_one_is_stepping():
    env = fastpool.make("_Faulty-v0", num_envs=2, num_threads=1, seed=0)
    env.reset()
    started = threading.Event()

    def slow_step():
        started.set()
        env.step(np.full(2, 2))  # 2 x 200 ms on one thread

    stepping = threading.Thread(target=slow_step)
    stepping.start()
    started.wait()
    time.sleep(0.1)
    with pytest.raises(RuntimeError, match="not yet received"):
        env.step(np.zeros(2, dtype=np.int64))
    with pytest.raises(RuntimeError, match=r"not yet received|another thread"):
        env.reset()
    stepping.join(timeout=10)
    assert not stepping.is_alive()
    obs, *_ = env.step(np.zeros(2, dtype=np.int64))
    assert obs.shape == (2, 1)


def test_huge_seed_lists_and_types_for_atari():
    env = fastpool.make("Breakout", num_envs=2, seed=0)
    with pytest.raises(ValueError, match="seed"):
        env.reset(seed=[1, 2, 3])
    with pytest.raises(ValueError, match="seed"):
        env.reset(seed=2**64 - 1)
    env.reset(seed=[2**64 - 1, 0])  # the largest seeds are fine
    env.step(np.zeros(2, dtype=np.int64))


# -- huge, odd and impossible values ------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"num_threads": 2**70}, r"num_threads must be in \[1, 1024\]"),
        ({"max_episode_steps": 2**40}, r"max_episode_steps must be in \[1, 2147483647\]"),
        ({"batch_size": 2**64}, r"batch_size must be in \[1, 4\]"),
        ({"num_envs": 2**64}, "num_envs must be in"),
    ],
)
def test_huge_integers_are_named_with_their_range(kwargs, match):
    with pytest.raises(ValueError, match=match):
        fastpool.make("CartPole-v1", **{"num_envs": 4, **kwargs})


def test_render_env_id_out_of_any_range():
    env = fastpool.make("Pong", num_envs=2, seed=0)
    env.reset()
    with pytest.raises(ValueError, match=r"env_id 1180591620717411303424 is out of range \[0, 2\)"):
        env.render(2**70)


def test_a_pool_too_big_for_memory_fails_before_allocating():
    start = time.monotonic()
    with pytest.raises(MemoryError, match=r"need about .* GiB .* this machine has"):
        fastpool.make("Breakout", num_envs=2**20)
    assert time.monotonic() - start < 1.0


def test_zero_dimensional_numpy_seeds():
    env = fastpool.make("CartPole-v1", num_envs=2, seed=np.array(3))
    a, _ = env.reset(seed=np.array(7))
    b, _ = fastpool.make("CartPole-v1", num_envs=2, seed=7).reset()
    np.testing.assert_array_equal(a, b)
    assert env.np_random_seed == (7, 8)


@pytest.mark.parametrize(
    "actions, error, match",
    [
        (np.array([0, 2**70], dtype=object), ValueError, "out of range"),
        (np.array([0, 1.5], dtype=object), TypeError, "must be integers, got float"),
        (np.array([0, None], dtype=object), TypeError, "must be integers"),
    ],
)
def test_object_arrays_of_actions(actions, error, match):
    env = fastpool.make("CartPole-v1", num_envs=2, seed=0)
    env.reset()
    with pytest.raises(error, match=match):
        env.step(actions)
    env.step(np.array([0, 1], dtype=object))


@pytest.mark.parametrize("env_id", ["Combat", "ALE/Joust-v5", "MazeCrazeNoFrameskip-v4", "Warlords-v5"])
def test_multiplayer_only_roms_say_so(env_id):
    with pytest.raises(ValueError, match="no single-player mode"):
        fastpool.make(env_id)


def _ended_after_a_masked_reset():
    """A DISABLED pool of 4 in which envs 0, 1 and 3 ended and env 2 was reset since."""
    env = fastpool.make("CartPole-v1", num_envs=4, seed=0, autoreset_mode="disabled", max_episode_steps=2)
    env.reset()
    for _ in range(2):
        env.step(np.zeros(4, dtype=np.int64))
    env.reset(options={"reset_mask": np.array([False, False, True, False])})
    return env


def test_disabled_send_names_the_ended_env_ids_not_positions():
    env = _ended_after_a_masked_reset()
    with pytest.raises(RuntimeError, match=r"env\(s\) \[3\] ended"):
        env.send(np.zeros(2, dtype=np.int64), env_ids=[2, 3])
    with pytest.raises(RuntimeError, match=r"env\(s\) \[0, 3\] ended"):
        env.send(np.zeros(3, dtype=np.int64), env_ids=np.array([3, 2, 0], dtype=np.uint8))
    env.reset()  # refused sends sent nothing: a reset and a send of every env work
    env.send(np.zeros(4, dtype=np.int64), env_ids=[3, 2, 1, 0])
    env.recv()


def test_disabled_async_send_names_the_ended_env_ids():
    env = fastpool.make("CartPole-v1", num_envs=4, seed=0, autoreset_mode="disabled", max_episode_steps=1, batch_size=2)
    env.async_reset()
    env.recv()
    env.recv()
    env.send(np.zeros(2, dtype=np.int64), env_ids=[2, 3])
    env.recv()  # envs 2 and 3 ended (one step episodes)
    with pytest.raises(RuntimeError, match=r"env\(s\) \[2, 3\] ended"):
        env.send(np.zeros(3, dtype=np.int64), env_ids=[1, 3, 2])
    env.send(np.zeros(2, dtype=np.int64), env_ids=[0, 1])
    env.recv()


@pytest.mark.parametrize(
    "env_ids, match",
    [
        ([99], r"env_id 99 is out of range \[0, 4\)"),
        ([-1], r"env_id -1 is out of range \[0, 4\)"),
        (np.array([2**70], dtype=object), "out of range"),
        ([[2]], "1-d array"),
        ([2.0], "must be integers"),
    ],
)
def test_disabled_send_bad_env_ids_get_the_message_other_modes_give(env_ids, match):
    for mode in ("disabled", "next_step"):
        env = fastpool.make("CartPole-v1", num_envs=4, seed=0, autoreset_mode=mode, batch_size=1)
        env.async_reset()
        for _ in range(4):
            env.recv()
        with pytest.raises((ValueError, TypeError), match=match):
            env.send(np.zeros(len(env_ids), dtype=np.int64), env_ids=env_ids)
        env.send(np.zeros(1, dtype=np.int64), env_ids=[2])
        env.recv()


def test_gym_make_render_mode_human_is_answered_about_human():
    import gymnasium as gym

    with pytest.raises(ValueError, match=r"CartPole-v1 supports render_mode None or \[\], got 'human'"):
        gym.make("fastpool/CartPole-v1", render_mode="human")
    with pytest.raises(ValueError, match=r"got 'rgb_array'"):
        gym.make("fastpool/Pendulum-v1", render_mode="rgb_array")
    with pytest.raises(ValueError, match=r"Pong-v5 supports render_mode None or \['rgb_array'\], got 'human'"):
        fastpool.make("Pong", num_envs=1, render_mode="human")


def test_the_ray_backend_refuses_a_render_mode_before_starting():
    with pytest.raises(ValueError, match=r"backend='ray' supports render_mode None only, got 'rgb_array'"):
        fastpool.make("Pong", num_envs=2, backend="ray", render_mode="rgb_array")


@pytest.mark.parametrize(
    "env_id, action",
    [("CartPole-v1", [0, 1]), ("CartPole-v1", np.zeros((2, 2), dtype=np.int64)), ("Pendulum-v1", [0.5, 0.5])],
)
def test_single_env_wrong_size_action_is_named(env_id, action):
    from fastpool.single import FastpoolEnv

    env = FastpoolEnv(env_id)
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"action must be one value of the action space .* got shape \(2"):
        env.step(action)
    env.step(env.action_space.sample())  # still usable
    env.close()
