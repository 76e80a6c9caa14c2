"""The edges a hostile user reaches: the process never dies, nothing hangs or ignores Ctrl-C, a
pool stays usable after any error, and errors name the problem. Cases that could kill the
process run in a child process."""

import copy
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

import fastpool
from fastpool.single import FastpoolEnv

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX signals, fork and rlimits")


def run_child(code: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=timeout, check=False
    )


# -- 1. the process never dies ------------------------------------------------------------------


def test_a_rom_that_disappears_is_a_python_error_not_an_exit(tmp_path):
    out = run_child(
        f"""
        import pathlib, shutil
        import numpy as np
        from ale_py import roms
        import fastpool
        rom = pathlib.Path({str(tmp_path)!r}) / "breakout.bin"
        shutil.copy(roms.get_rom_path("breakout"), rom)
        roms.get_rom_path = lambda game: str(rom)
        env = fastpool.make("Breakout", num_envs=4, num_threads=2, seed=0)
        env.reset()
        rom.unlink()
        try:
            env.reset(seed=1)  # reloads the ROM in the worker threads
        except RuntimeError as e:
            assert "breakout.bin" in str(e) and "cannot read the ROM" in str(e), e
            print("RAISED")
        try:
            fastpool.make("Breakout", num_envs=1)
        except RuntimeError as e:
            assert "breakout.bin" in str(e), e
            print("REFUSED")
        """
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["RAISED", "REFUSED"]


@linux_only
@pytest.mark.skipif(bool(os.environ.get("FASTPOOL_SANITIZER")), reason="sanitizers reserve terabytes of address space")
def test_threads_the_os_refuses_are_a_python_error():
    """Under an address-space limit thread stacks cannot be mapped: make() raises and leaves no
    thread behind; a smaller pool works afterwards."""
    out = run_child(
        """
        import os, resource
        import numpy as np
        import fastpool
        fastpool.make("CartPole-v1", num_envs=2).close()  # everything imported and warmed up
        size = int(open("/proc/self/statm").read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (size + 256 * 2**20, resource.RLIM_INFINITY))
        before = len(os.listdir("/proc/self/task"))
        try:
            fastpool.make("CartPole-v1", num_envs=1024, num_threads=1024)
        except RuntimeError as e:
            assert "could not start worker thread" in str(e), e
            print("RAISED")
        assert len(os.listdir("/proc/self/task")) == before
        env = fastpool.make("CartPole-v1", num_envs=4, num_threads=2, seed=0)
        env.reset()
        env.step(np.zeros(4, dtype=np.int64))
        print("USABLE")
        """
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["RAISED", "USABLE"]


@pytest.mark.parametrize("env_id", ["Breakout", "_Faulty-v0"])
def test_interpreter_exit_while_a_daemon_thread_steps(env_id):
    code = f"""
        import threading, time
        import numpy as np
        import fastpool
        env = fastpool.make({env_id!r}, num_envs=8, num_threads=2, seed=0)
        env.reset()
        action = np.full(8, 2 if {env_id!r} == "_Faulty-v0" else 0)
        def loop():
            while True:
                env.step(action)
        threading.Thread(target=loop, daemon=True).start()
        time.sleep(0.3)
        print("EXIT")
    """
    for _ in range(3):  # the exit races the step: try it a few times
        out = run_child(code, timeout=30)
        assert out.returncode == 0 and out.stdout.strip() == "EXIT", (out.returncode, out.stderr[-2000:])


# -- 2. no hangs; Ctrl-C answers ----------------------------------------------------------------


@linux_only
@pytest.mark.skipif(os.environ.get("FASTPOOL_SANITIZER") == "tsan", reason="TSan cannot follow fork() with threads")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork() with threads running
def test_fork_while_another_thread_steps_never_hangs_the_child():
    env = fastpool.make("CartPole-v1", num_envs=64, num_threads=2, seed=0)
    env.reset()
    stop = threading.Event()

    def loop():
        actions = np.zeros(64, dtype=np.int64)
        while not stop.is_set():
            env.step(actions)

    stepper = threading.Thread(target=loop)
    stepper.start()
    try:
        for _ in range(150):
            pid = os.fork()
            if pid == 0:
                signal.alarm(10)  # a hang fails the test instead of stalling the run
                code = 1
                try:
                    env.step(np.zeros(64, dtype=np.int64))
                except RuntimeError as e:
                    code = 0 if "after fork()" in str(e) else 2
                except BaseException:
                    code = 3
                os._exit(code)
            _, status = os.waitpid(pid, 0)
            assert os.waitstatus_to_exitcode(status) == 0
    finally:
        stop.set()
        stepper.join()


@linux_only
def test_ctrl_c_during_a_long_make():
    start = time.monotonic()
    fastpool.make("Breakout", num_envs=2, num_threads=2).close()
    loads = time.monotonic() - start  # the ROM loads in flight when the signal lands (slow under TSan)
    timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT))
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        fastpool.make("Breakout", num_envs=200, num_threads=2)  # seconds of ROM loads
    assert time.monotonic() - start < max(1.2, 0.2 + 2 * loads)
    fastpool.make("CartPole-v1", num_envs=2).close()


def test_close_abandons_queued_work():
    env = fastpool.make("_Faulty-v0", num_envs=8, batch_size=1, num_threads=1, seed=0)
    env.async_reset()
    for _ in range(8):
        env.recv()
    env.send(np.full(8, 2), np.arange(8))  # 8 x 200 ms queued on one thread
    time.sleep(0.05)
    start = time.monotonic()
    env.close()
    assert time.monotonic() - start < 0.5  # the step in progress, not all eight


# -- 3. a pool stays usable ----------------------------------------------------------------------


@linux_only
@pytest.mark.parametrize("then", ["step", "reset_mixed_seeds"])
def test_ctrl_c_during_a_step_whose_worker_raised(then):
    env = fastpool.make("_Faulty-v0", num_envs=4, num_threads=1, seed=0)
    env.reset()
    timer = threading.Timer(0.1, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        env.step(np.array([1, 2, 2, 2]))  # one env raises, the others take 600 ms
    if then == "step":
        obs, *_ = env.step(np.zeros(4, dtype=np.int64))
        assert obs.shape == (4, 1)
    else:
        obs, _ = env.reset(seed=[None, 1, None, 3])
        assert obs.shape == (4, 1)
    env.step(np.zeros(4, dtype=np.int64))


def test_copies_and_pickles_are_refused_and_the_original_works():
    env = fastpool.make("CartPole-v1", num_envs=2, seed=0)
    env.reset()
    for attempt in (copy.copy, copy.deepcopy, pickle.dumps):
        with pytest.raises(TypeError, match="cannot be"):
            attempt(env)
    env.step(np.zeros(2, dtype=np.int64))
    single = FastpoolEnv("CartPole-v1")
    with pytest.raises(TypeError, match="cannot be copied"):
        copy.copy(single)


# -- 5. errors name the problem ------------------------------------------------------------------


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
