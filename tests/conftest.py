"""Fixtures the test modules share."""

import subprocess
import sys

import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture
def cli():
    """Run the command line, `python -m fastpool ARGS...`; the finished process (never raises)."""

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "fastpool", *args], capture_output=True, text=True, check=False)

    return run


@pytest.fixture
def same_weights():
    """Assert that two saved models (final.pt, best.pt, checkpoint.pt) hold bit-identical Q-networks."""
    torch = pytest.importorskip("torch")

    def check(a, b) -> None:
        qa, qb = (torch.load(p, weights_only=False)["q"] for p in (a, b))
        assert qa.keys() == qb.keys()
        for k, v in qa.items():
            torch.testing.assert_close(v, qb[k], rtol=0, atol=0)

    return check
