"""The PQN trainer: Q(lambda) returns against a per-env reference, deterministic tiny runs with and
without overlap, exact resume, the CNN path, and the CLI."""

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from fastpool.pqn import PQNConfig, train  # noqa: E402
from fastpool.pqn.train import Rollout, q_lambda_returns  # noqa: E402
from fastpool.training import Precision  # noqa: E402


class _TableQ(torch.nn.Module):
    """Q(s, a) = s @ W: observations are one-hot rows, so every value is known exactly."""

    def __init__(self, w):
        super().__init__()
        self.w = torch.nn.Parameter(torch.as_tensor(w, dtype=torch.float32))

    def forward(self, obs):
        return obs.float() @ self.w


def _random_rollout(t_max, n, states, rng):
    obs = rng.integers(0, states, size=(t_max, n))
    last = rng.integers(0, states, size=n)
    ended = rng.random((t_max, n)) < 0.2
    terminated = ended & (rng.random((t_max, n)) < 0.5)
    eye = np.eye(states, dtype=np.float32)
    truncations = [(t, i, eye[rng.integers(states)]) for t, i in zip(*np.nonzero(ended & ~terminated))]
    return Rollout(
        start_step=0,
        obs=torch.as_tensor(eye[obs]),
        last_obs=torch.as_tensor(eye[last]),
        actions=rng.integers(0, 3, size=(t_max, n)),
        rewards=rng.normal(size=(t_max, n)).astype(np.float32),
        terminated=terminated,
        ended=ended,
        truncations=truncations,
    )


def _reference_returns(w, r, gamma, lam):
    """Per env, backwards, in float64: what an episode's Q(lambda) return is."""
    t_max, n = r.actions.shape
    value = lambda onehot: float(np.max(np.asarray(onehot) @ w))
    final = {(t, i): f for t, i, f in r.truncations}
    out = np.zeros((t_max, n))
    for i in range(n):
        ret = value(r.last_obs[i].numpy())
        for t in reversed(range(t_max)):
            if r.terminated[t, i]:
                ret = r.rewards[t, i]
            elif r.ended[t, i]:
                ret = r.rewards[t, i] + gamma * value(final[(t, i)])
            else:
                nxt = r.obs[t + 1, i].numpy() if t + 1 < t_max else r.last_obs[i].numpy()
                ret = r.rewards[t, i] + gamma * ((1 - lam) * value(nxt) + lam * ret)
            out[t, i] = ret
    return out


@pytest.mark.parametrize("lam", [0.0, 0.65, 1.0])
def test_q_lambda_returns_match_a_per_env_reference(lam):
    rng = np.random.default_rng(0)
    w = rng.normal(size=(7, 3))
    r = _random_rollout(16, 5, 7, rng)
    got = q_lambda_returns(_TableQ(w), r, 0.9, lam, Precision(torch.device("cpu"), bf16=False)).numpy()
    np.testing.assert_allclose(got, _reference_returns(w, r, 0.9, lam), rtol=1e-5, atol=1e-5)


def test_lambda_zero_is_one_step_q_learning_and_one_is_the_discounted_return():
    rng = np.random.default_rng(1)
    w = rng.normal(size=(4, 3))
    r = _random_rollout(10, 1, 4, rng)
    r.ended[:] = r.terminated[:] = False
    r.truncations = []
    q = _TableQ(w)
    one_step = q_lambda_returns(q, r, 0.5, 0.0, Precision(torch.device("cpu"), bf16=False)).numpy()[:, 0]
    next_obs = torch.cat([r.obs[1:, 0], r.last_obs])
    expected = r.rewards[:, 0] + 0.5 * (next_obs.numpy() @ w).max(axis=1)
    np.testing.assert_allclose(one_step, expected, rtol=1e-5)
    monte_carlo = q_lambda_returns(q, r, 0.5, 1.0, Precision(torch.device("cpu"), bf16=False)).numpy()[0, 0]
    bootstrap = (r.last_obs.numpy() @ w).max()
    expected = sum(0.5**k * r.rewards[k, 0] for k in range(10)) + 0.5**10 * bootstrap
    assert monte_carlo == pytest.approx(expected, rel=1e-5)


def _tiny(**overrides):
    base = dict(
        num_envs=8,
        num_steps=16,
        num_minibatches=4,
        total_timesteps=2_048,
        eval_freq=1_024,
        eval_episodes=2,
        checkpoint_freq=0,
        device="cpu",
        torch_threads=1,
    )
    return PQNConfig.for_env("CartPole-v1", **{**base, **overrides})


@pytest.mark.parametrize("overlap", [False, True])
def test_tiny_runs_are_deterministic(tmp_path, overlap, same_weights):
    a = train(_tiny(run_dir=str(tmp_path / "a"), overlap=overlap), progress=False)
    b = train(_tiny(run_dir=str(tmp_path / "b"), overlap=overlap), progress=False)
    assert a.global_step == b.global_step == 2_048
    assert a.episodes == b.episodes and len(a.episodes) > 20
    assert a.evals == b.evals and len(a.evals) == 2
    same_weights(a.run_dir / "final.pt", b.run_dir / "final.pt")
    summary = json.loads((a.run_dir / "summary.json").read_text())
    assert summary["env_steps"] == 2_048 and summary["evals"] == [list(e) for e in a.evals]
    assert summary["episodes"] == len(a.episodes) and summary["env_steps_per_s"] > 0


def test_stop_after_seconds_ends_at_the_next_update(tmp_path):
    r = train(_tiny(run_dir=str(tmp_path), eval_freq=0), progress=False, stop_after_seconds=1e-6)
    assert r.global_step == 8 * 16  # the first rollout's update, then the deadline
    assert (r.run_dir / "final.pt").is_file() and (r.run_dir / "summary.json").is_file()


def test_overlap_acts_one_update_behind(tmp_path):
    """With overlap the second rollout is collected before the first update lands, so the runs differ."""
    a = train(_tiny(run_dir=str(tmp_path / "a"), overlap=False, eval_freq=0), progress=False)
    b = train(_tiny(run_dir=str(tmp_path / "b"), overlap=True, eval_freq=0), progress=False)
    assert a.episodes != b.episodes


@pytest.mark.parametrize("overlap", [False, True])
def test_resume_continues_exactly(tmp_path, overlap, same_weights):
    cfg = dict(checkpoint_freq=1_024, overlap=overlap, eval_freq=0)
    full = train(_tiny(run_dir=str(tmp_path / "full"), **cfg), progress=False)
    part = train(_tiny(run_dir=str(tmp_path / "part"), **cfg), progress=False, stop_after=1_024)
    assert part.global_step == 1_024
    resumed = train(_tiny(run_dir=str(tmp_path / "part"), **cfg), resume=part.run_dir / "checkpoint.pt", progress=False)
    assert resumed.global_step == full.global_step == 2_048
    assert resumed.episodes == full.episodes
    same_weights(full.run_dir / "final.pt", resumed.run_dir / "final.pt")


def test_atari_runs_the_layer_norm_cnn_path(tmp_path):
    cfg = PQNConfig.for_env(
        "Pong",
        num_envs=4,
        num_steps=8,
        num_minibatches=2,
        total_timesteps=64,
        eval_freq=0,
        checkpoint_freq=0,
        device="cpu",
        run_dir=str(tmp_path),
        torch_threads=1,
    )
    assert cfg.overlap and cfg.q_lambda == 0.65  # the Atari preset
    result = train(cfg, progress=False)
    assert result.global_step == 64
    state = torch.load(result.run_dir / "final.pt", weights_only=False)
    assert state["algo"] == "pqn" and any("features.1" in k for k in state["q"])  # a LayerNorm
    assert (result.run_dir / "learning_curve.png").stat().st_size > 0


def test_config_names_what_is_wrong():
    with pytest.raises(ValueError, match=r"num_minibatches \(3\) must divide .* 128 transitions"):
        PQNConfig.for_env("CartPole-v1", num_envs=8, num_steps=16, num_minibatches=3)
    with pytest.raises(ValueError, match=r"q_lambda must be in \[0.0, 1.0\]"):
        PQNConfig.for_env("CartPole-v1", q_lambda=1.5)
    with pytest.raises(TypeError, match="unknown PQN option"):
        PQNConfig.for_env("CartPole-v1", buffer_size=10)
    with pytest.raises(TypeError, match="anneal_lr must be a bool"):
        PQNConfig.for_env("CartPole-v1", anneal_lr=1)


def test_cli_trains_evaluates_and_refuses_bad_options(tmp_path, cli):
    out = cli(
        "train", "pqn", "--run-dir", str(tmp_path), "--no-progress", "--total-timesteps", "1024",
        "--device", "cpu", "--set", "num_steps=16", "--set", "eval_freq=512", "--set", "checkpoint_freq=512",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    model = next(line.split()[2] for line in out.stdout.splitlines() if line.startswith("best model:"))
    out = cli("eval", model, "--episodes", "2", "--device", "cpu")
    assert out.returncode == 0 and "over 2 episodes" in out.stdout, out.stderr
    checkpoint = next(tmp_path.glob("CartPole-v1__pqn__*/checkpoint.pt"))
    out = cli("train", "pqn", "--resume", str(checkpoint), "--set", "q_lambda=0.5")
    assert out.returncode != 0 and "q_lambda cannot change when resuming" in out.stderr
    out = cli("train", "pqn", "--set", "num_minibatches=7", "--run-dir", str(tmp_path / "bad"))
    assert out.returncode != 0 and "num_minibatches (7) must divide" in out.stderr
    out = cli("train", "pqn", "--stop-after-seconds", "0", "--run-dir", str(tmp_path / "bad"))
    assert out.returncode != 0 and "--stop-after-seconds must be > 0" in out.stderr
    assert not (tmp_path / "bad").exists()
