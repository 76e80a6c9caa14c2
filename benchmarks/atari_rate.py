"""One Atari throughput measurement in this process, printed as frames/s on stdout.

    python benchmarks/atari_rate.py fastpool|envpool|ale-py NUM_ENVS NUM_THREADS [BATCH_SIZE] [SECONDS]
    python benchmarks/atari_rate.py raw-ale 1 1 [0] [SECONDS]
    python benchmarks/atari_rate.py startup fastpool|envpool|ale-py NUM_ENVS NUM_THREADS

Breakout with DQN preprocessing (frame skip 4, 84x84 gray, stack 4, 30 no-ops, no sticky
actions), uniform random actions; BATCH_SIZE < NUM_ENVS runs the async send/recv loop. ale-py is
its `AtariVectorEnv` with the same settings (its default reward clipping turned off, as fastpool's
and EnvPool's are; its 108k-frame episode cap is fastpool's 27k steps of 4 frames). raw-ale
is one `ale_py.ALEInterface` emulating frame by frame (the official wheel's emulator). Each
library runs in its own interpreter (EnvPool 1.2.7 needs CPython >= 3.12), so
`atari_rounds.py` calls this script once per measurement. `startup` prints the seconds from
making the pool to its first observation, and those of a reset with a new seed (a ROM reload in
every env; EnvPool takes seeds only when made: nan).
"""

from __future__ import annotations

import sys
import time

import numpy as np

FRAME_SKIP = 4


def make(lib: str, num_envs: int, num_threads: int, batch_size: int):
    if lib == "fastpool":
        import fastpool

        return fastpool.make(
            "BreakoutNoFrameskip-v4", num_envs=num_envs, num_threads=num_threads, batch_size=batch_size, seed=0
        )
    if lib == "envpool":
        import envpool

        return envpool.make_gymnasium(
            "Breakout-v5", num_envs=num_envs, num_threads=num_threads, batch_size=batch_size, seed=0
        )
    if lib == "ale-py":
        from ale_py.vector_env import AtariVectorEnv

        env = AtariVectorEnv(
            "breakout", num_envs, num_threads=num_threads, batch_size=batch_size, reward_clipping=False
        )
        env.reset(seed=0)
        return env
    raise ValueError(f"unknown library {lib!r}")


def pool_frames_per_second(lib: str, num_envs: int, num_threads: int, batch_size: int, seconds: float) -> float:
    env = make(lib, num_envs, num_threads, batch_size)
    actions = np.random.default_rng(0).integers(0, 4, size=(256, num_envs), dtype=np.int32)
    if batch_size == num_envs or lib == "ale-py":  # ale-py's step is its send + recv
        if lib != "ale-py":  # ale-py's was reset, with its seed, in make()
            env.reset()

        def run(steps: int) -> None:
            for t in range(steps):
                env.step(actions[t & 255, :batch_size])

    else:
        env.async_reset()

        def run(steps: int) -> None:
            for t in range(steps):
                *_, info = env.recv()
                env.send(actions[t & 255, :batch_size], info["env_id"])

    run(20)  # warm-up
    steps, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        run(10)
        steps += 10
    return steps * batch_size * FRAME_SKIP / elapsed


def startup_seconds(lib: str, num_envs: int, num_threads: int) -> tuple[float, float]:
    import importlib

    importlib.import_module({"fastpool": "fastpool", "envpool": "envpool", "ale-py": "ale_py.vector_env"}[lib])
    start = time.perf_counter()
    env = make(lib, num_envs, num_threads, num_envs)
    if lib != "ale-py":  # ale-py's was reset in make()
        env.reset()
    made = time.perf_counter()
    if lib == "envpool":
        return made - start, float("nan")
    env.reset(seed=1)
    return made - start, time.perf_counter() - made


def raw_ale_frames_per_second(seconds: float) -> float:
    import ale_py
    from ale_py import roms

    ale = ale_py.ALEInterface()
    ale.setLoggerMode(ale_py.LoggerMode.Error)
    ale.setInt("random_seed", 0)
    ale.loadROM(roms.get_rom_path("breakout"))
    legal = ale.getMinimalActionSet()
    choice = [legal[i] for i in np.random.default_rng(0).integers(0, len(legal), size=4096)]
    frames, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for a in choice:
            ale.act(a)
            if ale.game_over():
                ale.reset_game()
        frames += len(choice)
    return frames / elapsed


def main(argv: list[str]) -> None:
    if argv[0] == "startup":
        print(" ".join(f"{s:.4f}" for s in startup_seconds(argv[1], int(argv[2]), int(argv[3]))))
        return
    lib, num_envs, num_threads = argv[0], int(argv[1]), int(argv[2])
    batch_size = int(argv[3]) if len(argv) > 3 and int(argv[3]) else num_envs
    seconds = float(argv[4]) if len(argv) > 4 else 3.0
    if lib == "raw-ale":
        print(f"{raw_ale_frames_per_second(seconds):.1f}")
    else:
        print(f"{pool_frames_per_second(lib, num_envs, num_threads, batch_size, seconds):.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
