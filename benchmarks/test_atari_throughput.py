"""Breakout with DQN preprocessing: fastpool beside EnvPool, ale-py's AtariVectorEnv, SB3's
make_atari_env on SubprocVecEnv and gymnasium's AsyncVectorEnv, plus the raw-emulator ceiling.

Rates are env steps/s; frames/s = 4 x env steps/s (frame skip 4).
"""

import pytest

from peers import THREADS, bench_steps, breakout, raw_ale_frames_step

STEPS = 25  # sync steps per round


@pytest.mark.parametrize("num_threads", sorted({1, THREADS}))
@pytest.mark.parametrize("num_envs", [8, 64])
@pytest.mark.parametrize("lib", ["fastpool", "envpool", "ale-py"])
def test_breakout_threads(benchmark, lib, num_envs, num_threads):
    step, actions = breakout(lib, num_envs, num_threads)
    bench_steps(
        benchmark,
        step,
        actions,
        steps=STEPS,
        rounds=max(3, 2000 // (STEPS * num_envs)),
        group=f"Breakout N={num_envs} threads={num_threads}",
        lib=lib,
        num_envs=num_envs,
    )


@pytest.mark.parametrize("lib", ["gymnasium-async", "sb3-subproc"])
def test_breakout_processes(benchmark, lib):
    num_envs = 8
    step, actions = breakout(lib, num_envs, THREADS)
    bench_steps(
        benchmark,
        step,
        actions,
        steps=STEPS,
        rounds=5,
        group=f"Breakout N={num_envs} threads={THREADS}",
        lib=lib,
        num_envs=num_envs,
    )


def test_raw_ale_ceiling(benchmark):
    """Frames/s of one emulator in a loop; times the thread count, the most any pool can reach."""
    frame = raw_ale_frames_step()
    frames = 2000

    def run():
        for _ in range(frames):
            frame()

    benchmark.group = "ceiling"
    # env steps equivalent (4 frames each), per thread
    benchmark.extra_info.update(lib="raw ALE, 1 thread", num_envs=1, env_steps=frames / 4)
    benchmark.pedantic(run, rounds=10, warmup_rounds=1)
