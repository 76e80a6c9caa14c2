"""The command line across trainers: a checkpoint resumes only with the trainer that wrote it,
and an env neither trainer can act in is refused in one line, before a run directory is made."""

import pytest

torch = pytest.importorskip("torch")

from fastpool.dqn import DQNConfig  # noqa: E402
from fastpool.dqn import train as dqn_train  # noqa: E402
from fastpool.pqn import PQNConfig  # noqa: E402
from fastpool.pqn import train as pqn_train  # noqa: E402


def test_a_checkpoint_resumes_only_with_its_own_trainer(tmp_path, cli):
    pqn = pqn_train(
        PQNConfig.for_env(
            "CartPole-v1", num_envs=8, num_steps=16, num_minibatches=4, total_timesteps=1024, eval_freq=0,
            checkpoint_freq=512, device="cpu", run_dir=str(tmp_path / "pqn"), torch_threads=1,
        ),
        progress=False,
    )  # fmt: skip
    out = cli("train", "dqn", "--resume", str(pqn.run_dir / "checkpoint.pt"))
    assert out.returncode != 0 and "is a pqn run: resume it with `fastpool train pqn`" in out.stderr
    dqn = dqn_train(
        DQNConfig.for_env(
            "CartPole-v1", total_timesteps=600, learning_starts=100, eval_freq=0, checkpoint_freq=300,
            device="cpu", run_dir=str(tmp_path / "dqn"), torch_threads=1,
        ),
        progress=False,
    )  # fmt: skip
    out = cli("train", "pqn", "--resume", str(dqn.run_dir / "checkpoint.pt"))
    assert out.returncode != 0 and "is a dqn run: resume it with `fastpool train dqn`" in out.stderr


@pytest.mark.parametrize("algo", ["pqn", "dqn"])
def test_float_action_envs_are_refused_in_one_line(tmp_path, cli, algo):
    out = cli("train", algo, "--env", "Pendulum-v1", "--run-dir", str(tmp_path / "bad"))
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert "Pendulum-v1: DQN and PQN choose among discrete actions" in out.stderr, out.stderr
    assert not (tmp_path / "bad").exists()
