"""The command line across trainers: a checkpoint resumes only with the trainer that wrote it; an
env neither trainer can act in, a device torch lacks, or a run directory that cannot be written is
refused in one line, before a run directory is made; Ctrl-C and SIGTERM leave a resumable
checkpoint; a resumed run goes to the run directory it is given."""

import re
import signal
import subprocess
import sys
import time

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


def _cartpole_run(algo: str, run_dir, *extra: str) -> list[str]:
    """A long CartPole run's command: no evaluation, a checkpoint only far away."""
    return [sys.executable, "-m", "fastpool", "train", algo, "--run-dir", str(run_dir), "--no-progress",
            "--device", "cpu", "--total-timesteps", "10000000", "--set", "eval_freq=0",
            "--set", "checkpoint_freq=5000000", "--set", "stop_at_return=None", *extra]  # fmt: skip


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("algo, sig", [("pqn", signal.SIGINT), ("dqn", signal.SIGTERM)])
def test_a_signal_before_the_first_checkpoint_leaves_a_resumable_one(tmp_path, cli, algo, sig):
    proc = subprocess.Popen(_cartpole_run(algo, tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while not list(tmp_path.glob("*/events.out.tfevents.*")) and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(2.0)  # training is under way
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig, err
    assert f"stopped by {sig.name} at env step" in out and "Traceback" not in err
    checkpoint = next(tmp_path.glob("*/checkpoint.pt"))
    assert f"checkpoint: {checkpoint}" in out and f"fastpool train {algo} --resume {checkpoint}" in out
    step = torch.load(checkpoint, weights_only=False)["result"]["global_step"]
    assert step > 0
    resumed = cli("train", algo, "--resume", str(checkpoint), "--no-progress", "--stop-after", str(step + 2048))
    assert resumed.returncode == 0, resumed.stderr
    reached = int(re.search(r"after ([\d,]+) env steps", resumed.stdout).group(1).replace(",", ""))
    assert step < reached <= step + 2048 + 4096  # it went on from where the signal stopped it


def test_resume_into_another_run_dir_writes_there(tmp_path, cli):
    first = cli("train", "pqn", "--run-dir", str(tmp_path / "a"), "--no-progress", "--device", "cpu",
                "--total-timesteps", "4096", "--set", "checkpoint_freq=2048", "--set", "eval_freq=0")  # fmt: skip
    assert first.returncode == 0, first.stderr
    old = next((tmp_path / "a").glob("*"))
    before = {p.name: p.stat().st_mtime_ns for p in old.iterdir()}
    out = cli("train", "pqn", "--resume", str(old / "checkpoint.pt"), "--run-dir", str(tmp_path / "b"),
              "--no-progress", "--total-timesteps", "6144")  # fmt: skip
    assert out.returncode == 0, out.stderr
    new = next((tmp_path / "b").glob("*"))
    assert {"final.pt", "summary.json", "config.json", "checkpoint.pt"} <= {p.name for p in new.iterdir()}
    assert {p.name: p.stat().st_mtime_ns for p in old.iterdir()} == before  # the old run is untouched


@pytest.mark.parametrize("algo", ["pqn", "dqn"])
def test_messages_instead_of_tracebacks(tmp_path, cli, algo):
    out = cli("train", algo, "--set", "env_id=Acrobot-v1", "--run-dir", str(tmp_path / "r"))
    assert out.returncode != 0 and "choose the env with --env" in out.stderr and "Traceback" not in out.stderr
    if not torch.cuda.is_available():
        out = cli("train", algo, "--device", "cuda", "--run-dir", str(tmp_path / "r"))
        assert out.returncode != 0 and "Traceback" not in out.stderr
        assert "device 'cuda'" in out.stderr and "--device cpu" in out.stderr
    assert not (tmp_path / "r").exists()
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    out = cli("train", algo, "--run-dir", str(blocker / "runs"), "--total-timesteps", "64", "--device", "cpu")
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert out.stderr.count("\n") == 1 and str(blocker) in out.stderr
