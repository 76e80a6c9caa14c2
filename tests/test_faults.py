"""Faults: Ctrl-C during a long step, pools dropped without close(), fork() with a pool alive."""

import gc
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import fastpool

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX signals, fork and /proc")


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
