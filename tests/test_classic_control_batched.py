"""Classic control steps a chunk of envs per call (the family's BatchEnv); the same family one
env at a time (the per-env path, `batched=False`) must give the same trajectories, bit for bit,
whatever the thread count, sync or async, in every autoreset mode, seeded resets included."""

import numpy as np
import pytest

from fastpool import _core

ENV_NAMES = ["CartPole", "Acrobot", "MountainCar", "MountainCarContinuous", "Pendulum"]
MODES = [_core.Autoreset.NEXT_STEP, _core.Autoreset.SAME_STEP, _core.Autoreset.DISABLED]
NUM_ENVS, STEPS, MAX_STEPS, SEED = 37, 200, 90, 5
# (batched, num_threads, batch_size); the first is the reference: per env, one thread, sync
SETUPS = [
    (False, 1, NUM_ENVS),
    (True, 1, NUM_ENVS),
    (True, 2, NUM_ENVS),
    (True, 3, NUM_ENVS),
    (True, 2, 8),
    (True, 3, 13),
    (True, 1, 1),
    (False, 3, 13),
]


def _action_table(pool, rng):
    """Uniform actions for every (env, step); float actions reach 1.5x the bounds (the env clips)."""
    if pool.action_dim:
        high = 1.5 * np.asarray(pool.action_high, dtype=np.float32)
        return rng.uniform(-high, high, size=(NUM_ENVS, STEPS + 1, pool.action_dim)).astype(np.float32)
    return rng.integers(0, pool.num_actions, size=(NUM_ENVS, STEPS + 1))


def _policy(name, obs, random_actions, coin):
    """Half the time a policy that reaches the goal (so terminal branches run), from each env's
    own last observation: deterministic per env whatever order its results come in."""
    if name == "MountainCar":
        return np.where(coin, np.where(obs[:, 1] > 0, 2, 0), random_actions)
    if name == "Acrobot":
        return np.where(coin, np.where(obs[:, 5] > 0, 2, 0), random_actions)
    if name == "MountainCarContinuous":
        return np.where(coin[:, None], np.where(obs[:, 1:2] > 0, 1.2, -1.2), random_actions).astype(np.float32)
    return random_actions


def _trajectories(name, batched, num_threads, batch_size, autoreset):
    """Every env's results, sorted by (env, step): each env is stepped with its own actions and
    reset (seeded, or by hand where autoreset is disabled) at its own steps, so the sort does not
    depend on the order results arrive in."""
    pool = _core.make_classic_control(
        name, NUM_ENVS, num_threads, batch_size, autoreset, SEED, MAX_STEPS, batched=batched
    )
    rng = np.random.default_rng(0)
    actions = _action_table(pool, rng)
    coins = rng.random((NUM_ENVS, STEPS + 1)) < 0.5
    count = np.zeros(NUM_ENVS, dtype=np.int64)
    records = []
    pool.send_reset(None, None)
    while count.min() < STEPS:
        b = pool.recv()
        ids = b.env_id.astype(np.int64)
        seq = count[ids].copy()
        count[ids] += 1
        ended = b.terminated | b.truncated
        final_obs = np.zeros_like(b.obs)
        final_steps = np.zeros_like(b.elapsed_step)
        if b.final is not None:
            final_obs[ended] = b.final.obs[ended]
            final_steps[ended] = b.final.elapsed_step[ended]
        records.append(
            (ids, seq, b.obs.copy(), b.reward.copy(), b.terminated.copy(), b.truncated.copy(),
             b.elapsed_step.copy(), final_obs, final_steps)
        )  # fmt: skip
        # What each env does next: a seeded reset at step 100 for a third of them; where
        # autoreset is disabled, a reset by hand after every other episode end (the rest step on).
        reseed = (seq == 100) & (ids % 3 == 0)
        if autoreset == _core.Autoreset.DISABLED:
            reseed |= ended & ((ids + seq) % 2 == 0)
        step = ~reseed
        if reseed.any():
            pool.send_reset(ids[reseed], 1000 + ids[reseed] + seq[reseed])
        if step.any():
            a = _policy(name, b.obs, actions[ids, np.minimum(seq, STEPS)], coins[ids, np.minimum(seq, STEPS)])
            pool.send(a[step], ids[step])
    pool.close()
    cols = [np.concatenate(c) for c in zip(*records)]
    keep = cols[1] < STEPS
    cols = [c[keep] for c in cols]
    order = np.lexsort((cols[1], cols[0]))
    return [c[order] for c in cols]


@pytest.mark.parametrize("autoreset", MODES, ids=lambda m: m.name)
@pytest.mark.parametrize("name", ENV_NAMES)
def test_batched_steps_equal_per_env_steps(name, autoreset):
    ref = _trajectories(name, *SETUPS[0], autoreset)
    assert len(ref[0]) == NUM_ENVS * STEPS
    assert ref[4].any() or ref[5].any()  # episodes ended
    for setup in SETUPS[1:]:
        got = _trajectories(name, *setup, autoreset)
        for field, a, b in zip(["env_id", "step", "obs", "reward", "terminated", "truncated", "elapsed_step",
                                "final obs", "final elapsed_step"], got, ref):  # fmt: skip
            assert a.tobytes() == b.tobytes(), f"{name} {autoreset.name} {setup}: {field} differs"


@pytest.mark.parametrize("name", ENV_NAMES)
def test_partial_reset_keeps_the_others_as_the_per_env_path_does(name):
    pools = [
        _core.make_classic_control(name, 9, 2, 9, _core.Autoreset.NEXT_STEP, 3, 20, batched=batched)
        for batched in (True, False)
    ]
    results = [[], []]
    for k, pool in enumerate(pools):
        rng = np.random.default_rng(1)
        results[k].append(pool.reset(None))
        for t in range(60):
            if pool.action_dim:
                a = rng.uniform(-3, 3, size=(9, pool.action_dim)).astype(np.float32)
            else:
                a = rng.integers(0, pool.num_actions, size=9)
            results[k].append(pool.step(a))
            if t % 7 == 3:
                keep = rng.random(9) < 0.5
                results[k].append(pool.reset(np.arange(9, dtype=np.uint64) + t, rng.random(9) < 0.5, keep))
        pool.close()
    for a, b in zip(*results):
        for x, y in zip(a[:7], b[:7]):
            assert np.asarray(x).tobytes() == np.asarray(y).tobytes()


@pytest.mark.parametrize("autoreset", MODES[:2], ids=lambda m: m.name)
@pytest.mark.parametrize("name", ["CartPole", "Pendulum"])
def test_sends_of_every_env_split_among_threads_step_as_one_thread_does(name, autoreset):
    """Enough cheap envs that a send of all of them is split, a part per thread engaged (the
    caller's part or not, the owners' chunks and the ones stolen from a part's end); sends of
    some envs between them take the queue. Every thread count gives one thread's results."""
    n, steps = 3000, 120

    def run(num_threads):
        pool = _core.make_classic_control(name, n, num_threads, n, autoreset, SEED, 25, batched=True)
        rng = np.random.default_rng(2)
        out = [pool.reset(None)]
        for t in range(steps):
            if pool.action_dim:
                a = rng.uniform(-3, 3, size=(n, pool.action_dim)).astype(np.float32)
            else:
                a = rng.integers(0, pool.num_actions, size=n)
            how = t % 5
            if how == 0:  # some envs only, through the queue
                ids = np.flatnonzero(rng.random(n) < 0.3)
                pool.send(a[ids], ids)
                out.append(pool.recv(help=t % 2 == 0))
            elif how == 1:  # the caller does not help: the workers share every part
                pool.send(a, None)
                out.append(pool.recv(help=False))
            elif how == 2:  # it helps without a part of its own: it steals
                pool.send(a, None)
                out.append(pool.recv(help=True))
            elif t % 37 == 3:
                out.append(pool.reset(np.arange(n, dtype=np.uint64) + t))
            else:
                out.append(pool.step(a))
        pool.close()
        return [[np.asarray(f).copy() for f in (b.env_id, b.obs, b.reward, b.terminated, b.truncated,
                                                  b.elapsed_step)] for b in out]  # fmt: skip

    ref = run(1)
    assert any(b[4].any() for b in ref)  # episodes were truncated
    for threads in (2, 3, 4):
        got = run(threads)
        for t, (a, b) in enumerate(zip(got, ref)):
            for field, x, y in zip(["env_id", "obs", "reward", "terminated", "truncated", "elapsed_step"], a, b):
                assert x.tobytes() == y.tobytes(), f"{name} {autoreset.name} {threads} threads, batch {t}: {field}"
