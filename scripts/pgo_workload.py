"""The profile for a profile-guided build (scripts/pgo_profile.sh): the engine's hot paths as training
and benchmarks run them: several Atari games with DQN preprocessing, sync and async, and CartPole."""

import time

import numpy as np

import fastpool

GAMES = ["Breakout", "Pong", "SpaceInvaders", "Seaquest", "MsPacman", "Qbert"]


def play(env_id: str, seconds: float, **kwargs) -> None:
    env = fastpool.make(env_id, seed=0, **kwargs)
    n, rng = env.single_action_space.n, np.random.default_rng(0)
    start = time.perf_counter()
    if env.batch_size == env.num_envs:
        env.reset()
        while time.perf_counter() - start < seconds:
            env.step(rng.integers(0, n, size=env.num_envs))
    else:
        env.async_reset()
        while time.perf_counter() - start < seconds:
            *_, info = env.recv()
            env.send(rng.integers(0, n, size=env.batch_size), info["env_id"])
    env.close()


for game in GAMES:
    play(f"{game}NoFrameskip-v4", 1.5, num_envs=8, num_threads=2)
play("Breakout-v5", 1.5, num_envs=16, batch_size=8, num_threads=2)
play("CartPole-v1", 1.0, num_envs=1024)
print("profile written")
