"""The DQN trainer: replay correctness against a naive buffer, memory per transition,
deterministic tiny runs, exact resume, eval video, and the CLI."""

import re
from collections import deque
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from fastpool.dqn import DQNConfig, ReplayBuffer, train  # noqa: E402
from fastpool.training import q_network  # noqa: E402


def _random_streams(num_envs, steps, frame_shape, stack, rng):
    """Yield what an env pool yields: (obs, actions, rewards, next_obs (real last obs at ends),
    terminated, ended), with stacks built as the envs build them (first frame repeated)."""

    def fresh():
        f = rng.integers(0, 256, size=frame_shape, dtype=np.uint8)
        return deque([f] * stack, maxlen=stack)

    stacks = [fresh() for _ in range(num_envs)]
    for _ in range(steps):
        obs = np.stack([np.concatenate(list(s)) if stack > 1 else s[-1] for s in stacks])
        actions = rng.integers(0, 4, size=num_envs)
        rewards = rng.normal(size=num_envs).astype(np.float32)
        ended = rng.random(num_envs) < 0.1
        terminated = ended & (rng.random(num_envs) < 0.5)  # the rest are truncations
        for s in stacks:
            s.append(rng.integers(0, 256, size=frame_shape, dtype=np.uint8))
        next_obs = np.stack([np.concatenate(list(s)) if stack > 1 else s[-1] for s in stacks])
        yield obs, actions, rewards, next_obs, terminated, ended
        for i in np.flatnonzero(ended):
            stacks[i] = fresh()


@pytest.mark.parametrize("frame_shape, stack, capacity", [((1, 3, 2), 4, 10_000), ((1, 3, 2), 4, 90), ((5,), 1, 60)])
def test_replay_matches_a_naive_buffer(frame_shape, stack, capacity):
    rng = np.random.default_rng(0)
    num_envs = 3
    obs_shape = (frame_shape[0] * stack, *frame_shape[1:]) if stack > 1 else frame_shape
    rb = ReplayBuffer(capacity, num_envs, obs_shape, np.uint8, stack)
    naive = {}
    for obs, actions, rewards, next_obs, terminated, ended in _random_streams(num_envs, 400, frame_shape, stack, rng):
        slots = rb.add(obs, actions, rewards, next_obs, terminated, ended)
        for e in range(num_envs):
            naive[(e, int(slots[e]))] = (
                obs[e].copy(),
                actions[e],
                rewards[e],
                next_obs[e].copy(),
                terminated[e],
            )
    for _ in range(5):
        batch = rb.sample(64, rng)
        # find each sampled transition in the naive buffer through its (env, slot) key
        for b in range(64):
            matches = [
                k
                for k, v in naive.items()
                if np.array_equal(v[0], batch["obs"][b])
                and np.array_equal(v[3], batch["next_obs"][b])
                and v[1] == batch["actions"][b]
            ]
            assert matches, "a sampled transition that was never added"
    # and explicitly, for the same indices, identical contents
    live = [k for k in naive if k[1] >= rb.written[k[0]] - rb.slots + stack and k[1] <= rb.written[k[0]] - 2]
    envs = np.array([k[0] for k in live])
    slots = np.array([k[1] for k in live])
    got = rb.get(envs, slots)
    for j, k in enumerate(live):
        obs, action, reward, next_obs, terminated = naive[k]
        np.testing.assert_array_equal(got["obs"][j], obs)
        np.testing.assert_array_equal(got["next_obs"][j], next_obs)
        assert got["actions"][j] == action and got["rewards"][j] == reward and got["terminated"][j] == terminated
    assert len(live) >= min(50, capacity // 3)


def test_a_million_atari_transitions_fit_in_7_5_gb():
    rb = ReplayBuffer(4_000, 4, (4, 84, 84), np.uint8, 4)
    per_transition = rb.nbytes / (rb.slots * rb.num_envs)
    assert per_transition * 1_000_000 < 7.5e9
    assert per_transition < 84 * 84 + 16  # one frame, not a stack


def _tiny(**overrides):
    base = dict(
        total_timesteps=2_400,
        learning_starts=400,
        train_freq=64,
        gradient_steps=8,
        buffer_size=5_000,
        target_network_frequency=200,
        eval_freq=0,
        checkpoint_freq=0,
        device="cpu",
        torch_threads=1,
    )
    return DQNConfig.for_env("CartPole-v1", **{**base, **overrides})


def test_tiny_training_runs_are_deterministic(tmp_path, same_weights):
    a = train(_tiny(run_dir=str(tmp_path / "a")), progress=False)
    b = train(_tiny(run_dir=str(tmp_path / "b")), progress=False)
    assert a.episodes == b.episodes and len(a.episodes) > 10
    same_weights(a.run_dir / "final.pt", b.run_dir / "final.pt")


def test_resume_continues_exactly(tmp_path, same_weights):
    full = train(_tiny(run_dir=str(tmp_path / "full"), checkpoint_freq=1200, save_replay=True), progress=False)
    part = train(
        _tiny(run_dir=str(tmp_path / "part"), checkpoint_freq=1200, save_replay=True),
        progress=False,
        stop_after=1200,
    )
    resumed = train(
        _tiny(run_dir=str(tmp_path / "part"), checkpoint_freq=1200, save_replay=True),
        resume=part.run_dir / "checkpoint.pt",
        progress=False,
    )
    assert resumed.global_step == full.global_step
    assert resumed.episodes == full.episodes
    same_weights(full.run_dir / "final.pt", resumed.run_dir / "final.pt")


def test_atari_training_runs_the_cnn_path(tmp_path):
    cfg = DQNConfig.for_env(
        "Pong",
        num_envs=4,
        total_timesteps=600,
        learning_starts=200,
        buffer_size=2_000,
        eval_freq=0,
        checkpoint_freq=0,
        device="cpu",
        run_dir=str(tmp_path),
        torch_threads=1,
    )
    result = train(cfg, progress=False)
    assert result.global_step == 600
    assert (result.run_dir / "learning_curve.png").stat().st_size > 0
    assert any(result.run_dir.glob("events.out.tfevents.*"))


def test_eval_writes_a_readable_video(tmp_path, cli):
    imageio = pytest.importorskip("imageio.v2")
    cfg = DQNConfig.for_env("Pong", eval_max_episode_steps=40)
    q = q_network((4, 84, 84), 6, cfg.hidden_sizes)
    model = tmp_path / "best.pt"
    from dataclasses import asdict

    torch.save({"config": asdict(cfg), "q": q.state_dict()}, model)
    out = cli("eval", str(model), "--episodes", "2", "--video", str(tmp_path / "play.mp4"), "--device", "cpu")
    assert out.returncode == 0, out.stderr
    assert "mean" in out.stdout
    frames = imageio.mimread(tmp_path / "play.mp4", memtest=False)
    assert len(frames) >= 40 and frames[0].shape[:2] == (210, 160)


def test_cli_help_and_bad_flags(cli):
    for args in (["--help"], ["train", "dqn", "--help"], ["eval", "--help"]):
        out = cli(*args)
        assert out.returncode == 0 and "usage" in out.stdout
    out = cli("train", "dqn", "--num-envs", "many")
    assert out.returncode == 2 and "invalid int value" in out.stderr
    out = cli("train", "dqn", "--set", "bogus=1")
    assert out.returncode != 0 and "bogus" in out.stderr
    out = cli("train", "dqn", "--env", "NoSuchGame", "--set", "total_timesteps=10")
    assert out.returncode != 0 and "unknown env id" in out.stderr
    out = cli("eval", "missing.pt")
    assert out.returncode != 0 and "no model file" in out.stderr
    out = cli("frobnicate")
    assert out.returncode == 2


@pytest.mark.parametrize(
    "args, message",
    [
        (["--set", "batch_size=0"], r"batch_size must be in \[1, "),
        (["--set", "train_freq=0"], r"train_freq must be in \[1, "),
        (["--set", "gamma=1.5"], r"gamma must be in \[0.0, 1.0\]"),
        (["--set", "learning_rate=abc"], "learning_rate must be a number"),
        (["--seed", "-3"], r"seed must be in \[0, "),
        (["--num-envs", "0"], r"num_envs must be in \[1, "),
        (["--set", "end_e=0.9", "--set", "start_e=0.5"], "end_e"),
        (["--stop-after", "0"], "--stop-after must be >= 1"),
    ],
)
def test_cli_refuses_bad_config_at_parse_time_and_makes_no_run_dir(tmp_path, args, message, cli):
    out = cli("train", "dqn", "--run-dir", str(tmp_path / "runs"), "--no-progress", *args)
    assert out.returncode != 0 and re.search(message, out.stderr), out.stderr
    assert not (tmp_path / "runs").exists()


def test_cli_eval_and_bench_refuse_nonsense(tmp_path, cli):
    out = cli("eval", "missing.pt", "--episodes", "0")
    assert out.returncode != 0 and "--episodes must be >= 1" in out.stderr
    out = cli("bench", "--seconds", "-1")
    assert out.returncode != 0 and "--seconds must be > 0" in out.stderr
    out = cli("bench", "--num-envs", "0")
    assert out.returncode != 0 and "--num-envs must be >= 1" in out.stderr


def test_cli_names_corrupt_truncated_and_foreign_checkpoints(tmp_path, cli):
    corrupt = tmp_path / "corrupt.pt"
    corrupt.write_bytes(b"not a checkpoint at all")
    foreign = tmp_path / "foreign.pt"
    torch.save({"weights": [1, 2, 3]}, foreign)
    good = tmp_path / "good.pt"
    torch.save({"config": {}, "q": {}}, good)
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(good.read_bytes()[:40])
    for path, message in [
        (corrupt, "is not a readable checkpoint"),
        (truncated, "is not a readable checkpoint"),
        (foreign, "is not a fastpool DQN model or checkpoint"),
    ]:
        for args in (["eval", str(path)], ["train", "dqn", "--resume", str(path)]):
            out = cli(*args)
            assert out.returncode != 0 and str(path) in out.stderr and message in out.stderr, out.stderr
            assert "Traceback" not in out.stderr


def test_cli_resume_applies_what_can_change_and_refuses_the_rest(tmp_path, cli):
    part = train(_tiny(run_dir=str(tmp_path), checkpoint_freq=1200), progress=False, stop_after=1200)
    checkpoint = str(part.run_dir / "checkpoint.pt")
    out = cli("train", "dqn", "--resume", checkpoint, "--env", "Pong")
    assert out.returncode != 0 and "--env Pong" in out.stderr and "CartPole-v1" in out.stderr
    out = cli("train", "dqn", "--resume", checkpoint, "--set", "buffer_size=10", "--num-envs", "8")
    assert out.returncode != 0 and "buffer_size, num_envs cannot change when resuming" in out.stderr
    out = cli("train", "dqn", "--resume", checkpoint, "--total-timesteps", "1800", "--no-progress")
    assert out.returncode == 0, out.stderr
    assert "after 1,800 env steps" in out.stdout


def test_cli_names_the_model_it_wrote_when_there_was_no_evaluation(tmp_path, cli):
    out = cli(
        "train", "dqn", "--run-dir", str(tmp_path), "--no-progress", "--total-timesteps", "300",
        "--set", "eval_freq=0", "--set", "learning_starts=100", "--device", "cpu",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "best.pt" not in out.stdout
    model = next(line.split()[2] for line in out.stdout.splitlines() if line.startswith("final model:"))
    assert Path(model).is_file()
