"""Pool memory: RSS added by making and resetting Breakout N=64, each library in a fresh process."""

import subprocess
import sys

import pytest

SCRIPT = """
import os, sys
sys.path.insert(0, {here!r})
import numpy as np, gymnasium, ale_py
from peers import breakout

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

if {lib!r} == "envpool":
    import envpool
if {lib!r} == "fastpool":
    import fastpool
before = rss()
step, actions = breakout({lib!r}, 64, 2)
for _ in range(20):
    step(actions)
print(rss() - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("lib", ["fastpool", "envpool", "ale-py"])
def test_breakout_pool_memory(benchmark, lib):
    from pathlib import Path

    code = SCRIPT.format(here=str(Path(__file__).parent), lib=lib)
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True)
    if out.returncode != 0:
        pytest.skip(f"{lib} unavailable: {out.stderr.strip().splitlines()[-1:]}")
    added = int(out.stdout.strip().splitlines()[-1])
    benchmark.group = "memory Breakout N=64"
    benchmark.extra_info.update(lib=lib, num_envs=64, rss_bytes=added, env_steps=1)
    benchmark.pedantic(lambda: None, rounds=1)
