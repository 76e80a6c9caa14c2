"""Faults: the process never dies (a vanished ROM, threads the OS refuses, interpreter exit while
a thread steps), nothing hangs or ignores Ctrl-C (long steps, long makes, fork), and a pool stays
usable after any of it. Cases that could kill the process run in a child process."""

import copy
import gc
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

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX signals, fork and /proc")


@pytest.fixture(autouse=True)
def _python_turns_sigint_into_keyboardinterrupt():
    """Python raises KeyboardInterrupt on SIGINT only if SIGINT was not ignored when it started,
    and a shell starts background jobs (`cmd &`, as some CI runners do) with it ignored: give
    these tests Python's own handler, as an interactive run has."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def run_child(code: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=timeout, check=False
    )


def _thread_ids() -> set[str]:
    return set(os.listdir("/proc/self/task"))


@linux_only
def test_ctrl_c_during_a_long_step_returns_control_and_the_pool_recovers():
    env = fastpool.make("_Faulty-v0", num_envs=8, num_threads=1, seed=0)
    env.reset()
    timer = threading.Timer(0.1, os.kill, (os.getpid(), signal.SIGINT))
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        env.step(np.full(8, 2))  # 8 x 200 ms of work on one thread
    assert time.monotonic() - start < 1.0  # well before the 1.6 s the step takes
    obs, *_ = env.step(np.zeros(8, dtype=np.int64))  # drains the interrupted batch, then steps
    assert obs.shape == (8, 1)
    env.close()


@linux_only
def test_a_pool_dropped_without_close_frees_its_threads():
    gc.collect()
    before = _thread_ids()
    env = fastpool.make("CartPole-v1", num_envs=16, num_threads=4, seed=0)
    env.reset()
    ours = _thread_ids() - before  # other libraries' threads may come and go meanwhile
    assert len(ours) >= 4
    del env
    gc.collect()
    assert not ours & _thread_ids()


@linux_only
@pytest.mark.skipif(os.environ.get("FASTPOOL_SANITIZER") == "tsan", reason="TSan cannot follow fork() with threads")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork() with threads running
def test_fork_child_gets_a_clear_error_and_can_make_its_own_pool():
    env = fastpool.make("CartPole-v1", num_envs=4, num_threads=2, seed=0)
    env.reset()
    pid = os.fork()
    if pid == 0:  # the child: report through the exit code, never return into pytest
        signal.alarm(30)  # a hang ends the child (and fails the test) instead of the run
        code = 1
        try:
            try:
                env.step(np.zeros(4, dtype=np.int64))
            except RuntimeError as e:
                code = 0 if "after fork() make a new pool" in str(e) else 2
            own = fastpool.make("CartPole-v1", num_envs=4, num_threads=2, seed=0)
            own.reset()
            own.step(np.zeros(4, dtype=np.int64))
            own.close()
            del env  # dropping the parent's pool must not hang
        except BaseException:
            code = 3
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    obs, *_ = env.step(np.zeros(4, dtype=np.int64))  # the parent's pool is untouched
    assert obs.shape == (4, 4)


TRAJECTORY_HASH = """
import hashlib, sys
import numpy as np
import fastpool

def run(env_id, num_threads, batch_size, **options):
    n, steps = 8, 80
    actions = np.random.default_rng(1).integers(0, 2, size=(steps + 1, n))
    env = fastpool.make(env_id, num_envs=n, seed=9, num_threads=num_threads, batch_size=batch_size, **options)
    hashes = [hashlib.sha256() for _ in range(n)]
    count = np.zeros(n, dtype=int)
    env.async_reset()
    while count.min() <= steps:
        obs, rew, term, trunc, info = env.recv()
        ids = info["env_id"]
        for row, i in enumerate(ids):
            if count[i] <= steps:
                hashes[i].update(obs[row].tobytes() + rew[row].tobytes() + term[row].tobytes() + trunc[row].tobytes())
            count[i] += 1
        env.send(actions[np.minimum(count[ids], steps), ids], ids)
    return hashlib.sha256(b"".join(h.digest() for h in hashes)).hexdigest()

print(run(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) or None, **eval(sys.argv[4])))
"""


@pytest.mark.parametrize(
    "env_id, options",
    [("CartPole-v1", {}), ("Breakout", {"repeat_action_probability": 0.25})],
)
def test_trajectories_identical_across_threads_modes_and_processes(env_id, options):
    def in_process(threads, batch):
        return subprocess.run(
            [sys.executable, "-c", TRAJECTORY_HASH, env_id, str(threads), str(batch), repr(options)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    reference = in_process(1, 0)
    for threads, batch in [(2, 0), (4, 0), (1, 4), (2, 4), (4, 3)]:
        assert in_process(threads, batch) == reference, (threads, batch)
    assert in_process(1, 0) == reference  # and again, in yet another process


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
