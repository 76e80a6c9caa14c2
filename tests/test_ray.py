"""The Ray backend on a local 2-CPU cluster with 2 actors: the same streams as a local pool,
both autoreset modes, async batches of whole workers, dead workers named, close ends actors."""

import time
import warnings

import numpy as np
import pytest
from gymnasium.vector import AutoresetMode

ray = pytest.importorskip("ray")

import fastpool  # noqa: E402
from fastpool import ray_backend  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def cluster():
    # "local": a cluster of its own, never one that RAY_ADDRESS or a stale `ray start` names
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


@pytest.mark.parametrize(
    "env_id, options",
    [
        ("CartPole-v1", {"max_episode_steps": 20}),
        # frame stacks travel as their newest frame: episode ends (lives, time limit) restart them
        ("Breakout", {"repeat_action_probability": 0.25, "episodic_life": True, "max_episode_steps": 25}),
        ("Pong", {"gray_scale": False, "stack_num": 3, "max_episode_steps": 15}),
        ("Breakout", {"obs_type": "ram", "max_episode_steps": 25}),  # not a stack: travels whole
        ("Pendulum-v1", {"max_episode_steps": 20}),  # float actions
    ],
)
@pytest.mark.parametrize("mode", ["next_step", "same_step", "disabled"])
def test_same_trajectories_as_a_local_pool(env_id, options, mode):
    """Step for step equal to a local pool, partial resets (reset_mask, seeded or not) included;
    with autoreset disabled, ended envs are reset by mask."""
    n = 6
    remote = fastpool.make(env_id, num_envs=n, seed=3, backend="ray", num_workers=2, autoreset_mode=mode, **options)
    local = fastpool.make(env_id, num_envs=n, seed=3, autoreset_mode=mode, **options)
    try:
        np.testing.assert_array_equal(remote.reset()[0], local.reset()[0])
        rng = np.random.default_rng(0)
        ends = 0
        for _ in range(90):
            a = rng.uniform(-2, 2, (n, 1)).astype(np.float32) if env_id == "Pendulum-v1" else rng.integers(2, size=n)
            x, y = remote.step(a), local.step(a)
            for u, v in zip(x[:4], y[:4]):
                np.testing.assert_array_equal(u, v)
            np.testing.assert_array_equal(x[4]["env_id"], np.arange(n))
            ended = y[2] | y[3]
            ends += int(ended.sum())
            mask = ended if mode == "disabled" else rng.random(n) < 0.03
            if mask.any():
                seed = int(rng.integers(100)) if rng.random() < 0.5 else None
                (o1, i1), (o2, i2) = (
                    env.reset(seed=seed, options={"reset_mask": mask.copy()}) for env in (remote, local)
                )
                np.testing.assert_array_equal(o1, o2)
                assert i1.keys() == i2.keys()
                for key in i2:
                    np.testing.assert_array_equal(i1[key], i2[key])
                assert remote.np_random_seed == local.np_random_seed
            if "final_obs" in y[4]:
                np.testing.assert_array_equal(x[4]["_final_obs"], y[4]["_final_obs"])
                for i in np.flatnonzero(y[4]["_final_obs"]):
                    np.testing.assert_array_equal(x[4]["final_obs"][i], y[4]["final_obs"][i])
                np.testing.assert_array_equal(x[4]["final_info"]["env_id"], y[4]["final_info"]["env_id"])
        assert ends >= n
        np.testing.assert_array_equal(remote.reset(seed=9)[0], local.reset(seed=9)[0])
        a = np.zeros((n, 1), np.float32) if env_id == "Pendulum-v1" else rng.integers(0, 2, size=n)
        np.testing.assert_array_equal(remote.step(a)[0], local.step(a)[0])
        assert remote.get_attr("np_random_seed") == local.get_attr("np_random_seed")
    finally:
        remote.close()


@pytest.mark.parametrize("mode", ["next_step", "same_step"])
def test_episode_statistics_as_a_local_pools(mode):
    """episode_statistics=True: each worker's pool counts its envs' episodes (Atari: whole games
    across lives, unclipped), and the driver joins them into a local pool's info["episode"] and
    info["_episode"], rows of workers where no episode ended filled with zeros; partial resets
    restart the masked envs' counts only."""
    n = 4
    options = {"seed": 2, "autoreset_mode": mode, "episodic_life": True, "reward_clip": True, "max_episode_steps": 40}
    remote = fastpool.make("Breakout", num_envs=n, backend="ray", num_workers=2, episode_statistics=True, **options)
    local = fastpool.make("Breakout", num_envs=n, episode_statistics=True, **options)
    try:
        remote.reset()
        local.reset()
        rng = np.random.default_rng(0)
        games = 0
        for t in range(130):
            if t == 60:  # a partial reset that leaves one worker's envs alone
                mask = np.array([True, False, False, False])
                remote.reset(options={"reset_mask": mask.copy()})
                local.reset(options={"reset_mask": mask.copy()})
            a = rng.integers(0, 4, size=n)
            x, y = remote.step(a), local.step(a)
            assert ("episode" in x[4]) == ("episode" in y[4])
            if "episode" in y[4]:
                games += int(y[4]["_episode"].sum())
                np.testing.assert_array_equal(x[4]["_episode"], y[4]["_episode"])
                for key in ("r", "l", "t"):
                    assert x[4]["episode"][key].dtype == y[4]["episode"][key].dtype
                for key in ("r", "l"):
                    np.testing.assert_array_equal(x[4]["episode"][key], y[4]["episode"][key])
        assert games >= n
    finally:
        remote.close()
        local.close()


@pytest.mark.parametrize("mode", list(AutoresetMode))
def test_frame_stack_codec_gives_back_a_local_pools_stacks(mode):
    """The codec's halves together, no actors: a worker's codec encodes a local pool's results,
    one frame per env, and a driver's codec decodes every stack, across episode ends and partial
    resets (Pong: the ball moves, so no two frames of a stack are alike)."""
    n, stack = 4, 4
    env = fastpool.make("Pong", num_envs=n, seed=1, autoreset_mode=mode, stack_num=stack, max_episode_steps=20)
    worker, driver = (ray_backend.FrameStackCodec(stack, n, mode) for _ in range(2))
    obs, _ = env.reset()
    frames, restarted = worker.encode_reset(obs, None)
    assert frames.shape == (n, obs.shape[1] // stack, *obs.shape[2:])
    np.testing.assert_array_equal(driver.decode(frames, restarted, None), obs)
    rng = np.random.default_rng(0)
    ends = resets = 0
    for _ in range(80):
        obs, _, terminated, truncated, _ = env.step(rng.integers(4, size=n))
        frames, restarted = worker.encode_step(obs, terminated, truncated)
        assert frames.shape[1] == obs.shape[1] // stack
        np.testing.assert_array_equal(driver.decode(np.array(frames), restarted, None), obs)
        ended = terminated | truncated
        ends += int(ended.sum())
        mask = ended if mode is AutoresetMode.DISABLED else rng.random(n) < 0.05
        if mask.any():
            resets += 1
            obs, _ = env.reset(options={"reset_mask": mask.copy()})
            frames, restarted = worker.encode_reset(obs, mask)
            np.testing.assert_array_equal(driver.decode(np.array(frames), restarted, ~mask), obs)
    assert ends >= n and resets > 0
    env.close()
    single = ray_backend.FrameStackCodec(1, n, mode)  # no stacks: observations travel whole
    frames, restarted = single.encode_reset(obs, None)
    assert frames is obs and restarted is None and single.decode(frames, restarted, None) is obs


def test_seeded_reset_replays_on_workers_with_sticky_actions():
    env = fastpool.make("Breakout", num_envs=4, seed=0, backend="ray", num_workers=2)
    fresh = fastpool.make("Breakout", num_envs=4, seed=42)
    actions = np.random.default_rng(0).integers(0, 4, size=(150, 4))

    def run(pool):
        pool.reset(seed=42) if pool is env else pool.reset()
        return [float(pool.step(a)[1].sum()) for a in actions]

    try:
        expected = run(fresh)
        assert run(env) == expected and run(env) == expected
    finally:
        env.close()


def test_async_reset_mask_must_select_whole_batches():
    env = fastpool.make("CartPole-v1", num_envs=4, seed=0, backend="ray", num_workers=2, batch_size=2)
    try:
        env.async_reset()
        env.recv(), env.recv()
        with pytest.raises(ValueError, match="whole batches"):
            env.async_reset(options={"reset_mask": np.array([True, False, False, False])})
        env.async_reset(seed=7, options={"reset_mask": np.array([False, False, True, True])})
        obs, *_, info = env.recv()
        np.testing.assert_array_equal(info["env_id"], [2, 3])
        np.testing.assert_array_equal(obs, fastpool.make("CartPole-v1", num_envs=4, seed=7).reset()[0][2:])
    finally:
        env.close()


def test_async_batches_are_whole_workers_with_global_ids():
    env = fastpool.make("CartPole-v1", num_envs=8, seed=0, backend="ray", num_workers=2, batch_size=4)
    try:
        assert len(env) == 8  # every env, as a local pool's len()
        env.async_reset()
        seen = []
        for _ in range(6):
            obs, *_, info = env.recv()
            ids = info["env_id"]
            assert obs.shape == (4, 4) and sorted(ids) in ([0, 1, 2, 3], [4, 5, 6, 7])
            seen.append(tuple(ids))
            env.send(np.zeros(4, dtype=np.int64), ids)
        assert {(0, 1, 2, 3), (4, 5, 6, 7)} >= set(seen)
        with pytest.raises(ValueError, match=r"all of envs 0\.\.3"):
            env.send(np.zeros(2, dtype=np.int64), np.array([0, 1]))
        with pytest.raises(RuntimeError, match="call recv"):  # as a local pool
            env.reset()
    finally:
        env.close()


def test_async_batches_smaller_than_a_worker_are_pipelined():
    """batch_size 2 with 4 envs per worker: each worker holds 2 batches in flight, in order."""
    env = fastpool.make("CartPole-v1", num_envs=8, seed=0, backend="ray", num_workers=2, batch_size=2)
    local = fastpool.make("CartPole-v1", num_envs=8, seed=0)
    try:
        assert env.batches == [(0, 0, 2), (0, 2, 4), (1, 4, 6), (1, 6, 8)]
        env.async_reset()
        first = {}
        for _ in range(4):
            obs, *_, info = env.recv()
            first[tuple(info["env_id"])] = obs
        assert sorted(first) == [(0, 1), (2, 3), (4, 5), (6, 7)]
        np.testing.assert_array_equal(np.concatenate([first[k] for k in sorted(first)]), local.reset()[0])
        for ids in first:
            env.send(np.ones(2, dtype=np.int64), np.array(ids))
        stepped = {}
        for _ in range(4):
            obs, *_, info = env.recv()
            stepped[tuple(info["env_id"])] = obs
        expected = local.step(np.ones(8, dtype=np.int64))[0]
        np.testing.assert_array_equal(np.concatenate([stepped[k] for k in sorted(stepped)]), expected)
        with pytest.raises(ValueError, match="multiple or a divisor"):
            fastpool.make("CartPole-v1", num_envs=8, backend="ray", num_workers=2, batch_size=3)
    finally:
        env.close()
        local.close()


def test_bad_input_and_a_dead_worker_are_clear_errors():
    env = fastpool.make("CartPole-v1", num_envs=4, seed=0, backend="ray", num_workers=2)
    try:
        env.reset()
        with pytest.raises(ValueError, match="shape"):
            env.step(np.zeros(3, dtype=np.int64))
        before = env.step(np.zeros(4, dtype=np.int64))[0]
        with pytest.raises(ValueError, match="out of range"):
            env.step(np.array([0, 0, 0, 7]))
        with pytest.raises(TypeError, match="integers"):
            env.step(np.zeros(4))
        with pytest.raises(ValueError, match="out of range"):  # raised in the actor, seen here
            ray.get(env.workers[1].step.remote(0, np.array([0, 9])))
        local = fastpool.make("CartPole-v1", num_envs=4, seed=0)  # no env stepped on a bad action
        local.reset()
        np.testing.assert_array_equal(before, local.step(np.zeros(4, dtype=np.int64))[0])
        ones = np.ones(4, dtype=np.int64)
        np.testing.assert_array_equal(env.step(ones)[0], local.step(ones)[0])
        ray.kill(env.workers[1])
        _wait_until_dead(env.workers[1])
        with pytest.raises(RuntimeError, match=r"worker\(s\) \[1\] died"):
            env.step(np.zeros(4, dtype=np.int64))
    finally:
        env.close()


def test_bad_seeds_and_env_ids_are_refused_before_anything_moves():
    env = fastpool.make("Breakout", num_envs=4, seed=0, backend="ray", num_workers=2)
    local = fastpool.make("Breakout", num_envs=4, seed=0)
    try:
        env.reset()
        local.reset()
        ones = np.ones(4, dtype=np.int64)
        for seed in (-2, 2**64 - 3, [0, 1, 2, -1], "abcd"):
            with pytest.raises((ValueError, TypeError), match="seed"):
                env.reset(seed=seed)
        np.testing.assert_array_equal(env.step(ones)[0], local.step(ones)[0])  # no env was reset
    finally:
        env.close()
        local.close()

    env = fastpool.make("CartPole-v1", num_envs=4, seed=0, backend="ray", num_workers=2, batch_size=2)
    try:
        env.async_reset()
        *_, info = env.recv()
        *_, info2 = env.recv()
        two = np.zeros(2, dtype=np.int64)
        with pytest.raises(ValueError, match="repeat"):
            env.send(np.zeros(3, dtype=np.int64), np.array([0, 0, 1]))
        with pytest.raises(ValueError, match=r"in \[0, 4\)"):
            env.send(two, np.array([0, 99]))
        with pytest.raises(ValueError, match="must cover"):  # the first batch is fine, the second is not
            env.send(np.zeros(3, dtype=np.int64), np.array([0, 1, 2]))
        assert not env._pending  # nothing was sent
        env.send(two, info["env_id"])
        env.send(two, info2["env_id"])
        assert len(env._pending) == 2
    finally:
        env.close()


def test_a_failed_step_asks_for_a_reset_then_the_pool_works_again():
    env = fastpool.make("_Faulty-v0", num_envs=4, seed=0, backend="ray", num_workers=2)
    try:
        env.reset()
        with pytest.raises(Exception, match="step failed on purpose"):
            env.step(np.array([0, 0, 0, 1]))  # action 1 throws inside env 3, on worker 1
        with pytest.raises(RuntimeError, match=r"call reset\(\)"):
            env.step(np.zeros(4, dtype=np.int64))
        env.reset()
        obs, *_ = env.step(np.zeros(4, dtype=np.int64))
        assert obs.shape == (4, 1)
    finally:
        env.close()


def test_workers_short_of_cpus_are_reported_not_a_silent_wait(monkeypatch):
    monkeypatch.setattr(ray_backend, "_START_WARNING_S", 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # the warning aborts make(): its actors end
        short = r"[1-3] of 3 fastpool Ray workers are waiting for CPUs: each needs 1, the cluster has 2"
        with pytest.raises(RuntimeWarning, match=short):
            fastpool.make("CartPole-v1", num_envs=3, backend="ray", num_workers=3, num_threads=1)
    env = fastpool.make("CartPole-v1", num_envs=2, backend="ray", num_workers=2)  # the CPUs are free again
    env.close()


def _wait_until_dead(actor, seconds: float = 30.0) -> None:
    """ray.kill() takes effect asynchronously: calls may still be served for a moment."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            ray.get(actor.spaces.remote(), timeout=5)
        except (ray.exceptions.RayActorError, ray.exceptions.GetTimeoutError):
            return
        time.sleep(0.1)
    pytest.fail("a killed actor kept answering")


def test_close_ends_every_actor():
    env = fastpool.make("CartPole-v1", num_envs=4, seed=0, backend="ray", num_workers=2)
    env.reset()
    workers = list(env.workers)
    env.close()
    for w in workers:
        _wait_until_dead(w)
    with pytest.raises(RuntimeError, match="closed"):
        env.reset()


def test_rllib_ppo_learns_cartpole_on_a_fastpool_pool():
    """RLlib's env runners build the pool through the `fastpool/<id>` vector entry point."""
    pytest.importorskip("ray.rllib")
    from ray.rllib.algorithms.ppo import PPOConfig

    config = (
        PPOConfig()
        .environment("fastpool:fastpool/CartPole-v1")  # "module:" makes each runner import fastpool
        .env_runners(num_env_runners=1, num_envs_per_env_runner=8, gym_env_vectorize_mode="vector_entry_point")
        .training(train_batch_size_per_learner=2000, minibatch_size=250, num_epochs=6, lr=3e-4)
        .debugging(seed=0)
    )
    algo = config.build_algo()
    try:
        envs = algo.env_runner_group.foreach_env_runner(lambda r: type(r.env.unwrapped), local_env_runner=False)
        assert envs == [fastpool.VectorEnv]
        returns = [algo.train()["env_runners"]["episode_return_mean"] for _ in range(10)]
    finally:
        algo.stop()
    assert returns[-1] > 4 * returns[0] and returns[-1] > 120, returns  # a random policy scores ~22


def test_dqn_trains_the_same_on_ray_workers_as_on_a_local_pool(tmp_path):
    """Env i's stream does not depend on where it runs, so a seeded run is the same run."""
    torch = pytest.importorskip("torch")
    from fastpool.dqn import DQNConfig, train

    def run(name, **backend):
        cfg = DQNConfig.for_env(
            "CartPole-v1",
            num_envs=5,  # 3 + 2 envs over 2 workers
            total_timesteps=1_500,
            learning_starts=300,
            train_freq=50,
            gradient_steps=4,
            eval_freq=0,
            checkpoint_freq=0,
            device="cpu",
            torch_threads=1,
            run_dir=str(tmp_path / name),
            **backend,
        )
        return train(cfg, progress=False)

    local, remote = run("local"), run("ray", backend="ray", num_workers=2)
    assert remote.episodes == local.episodes and len(local.episodes) > 10
    a, b = (torch.load(r.run_dir / "final.pt", weights_only=False)["q"] for r in (local, remote))
    for k in a:
        torch.testing.assert_close(a[k], b[k], rtol=0, atol=0)


def test_siblings_of_the_local_pools_bad_input_fixes():
    """What the local pool got right, the Ray backend does too: a refused reset keeps its
    reset_mask, DISABLED send() names env ids (and ranges before them), attribute names must be
    str, set_attr says it is not supported first, and float64 actions beyond float32's range are
    clipped as gymnasium clips them (Box env_ids were refused as a shape mismatch before)."""
    env = fastpool.make("CartPole-v1", num_envs=4, seed=0, backend="ray", num_workers=2)
    try:
        env.reset()
        opts = {"reset_mask": np.array([False, False, True, True])}
        with pytest.raises(ValueError, match="one entry per env"):
            env.reset(seed=[1, 2], options=opts)
        assert "reset_mask" in opts
        _, info = env.reset(seed=[None, None, 3, 4], options=opts)
        assert "reset_mask" not in opts and info["_env_id"].tolist() == [False, False, True, True]
        with pytest.raises(TypeError, match="attribute name must be a str"):
            env.get_attr(["np_random_seed"])
        with pytest.raises(AttributeError, match=r"cannot be set \(set_attr is not supported\)"):
            env.set_attr("render_mode", [1])
    finally:
        env.close()

    env = fastpool.make(
        "CartPole-v1",
        num_envs=4,
        seed=0,
        backend="ray",
        num_workers=2,
        batch_size=2,
        autoreset_mode="disabled",
        max_episode_steps=1,
    )
    try:
        env.async_reset()
        env.recv(), env.recv()
        env.send(np.zeros(2, dtype=np.int64), np.array([2, 3]))
        env.recv()  # envs 2 and 3 ended
        with pytest.raises(RuntimeError, match=r"env\(s\) \[2, 3\] ended"):
            env.send(np.zeros(2, dtype=np.int64), np.array([3, 2]))
        with pytest.raises(ValueError, match=r"in \[0, 4\)"):
            env.send(np.zeros(2, dtype=np.int64), np.array([0, 99]))
        env.send(np.zeros(2, dtype=np.int64), np.array([0, 1]))
        env.recv()
    finally:
        env.close()

    env = fastpool.make("Pendulum-v1", num_envs=2, seed=3, backend="ray", num_workers=2, batch_size=1)
    local = fastpool.make("Pendulum-v1", num_envs=2, seed=3, batch_size=1)
    try:
        for pool in (env, local):
            pool.async_reset()
            pool.recv(), pool.recv()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            env.send(np.array([[1e39]]), np.array([0]))
        local.send(np.array([[2.0]], dtype=np.float32), np.array([0]))
        got, want = env.recv(), local.recv()
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])
    finally:
        env.close()
        local.close()


def test_patching_a_single_space_with_the_batched_one_fails_at_once():
    """As on a local pool: `env.single_action_space = env.action_space` (EnvPool-era code) is
    refused, naming both spaces; an equal space is accepted."""
    env = fastpool.make("CartPole-v1", num_envs=4, seed=0, backend="ray", num_workers=2)
    try:
        pairs = (("single_action_space", "action_space"), ("single_observation_space", "observation_space"))
        for name, batched in pairs:
            single, batch = getattr(env, name), getattr(env, batched)
            with pytest.raises(AttributeError, match=f"{name} is one env's space") as refused:
                setattr(env, name, batch)
            assert str(single) in str(refused.value) and str(batch) in str(refused.value)
            setattr(env, name, single)
            assert getattr(env, name) is single
        env.reset()
        env.step(np.zeros(4, dtype=np.int64))
    finally:
        env.close()
