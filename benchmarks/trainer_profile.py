"""Where a PQN training step's time goes on this machine, each part timed alone: stepping the
pool, acting (a greedy forward pass per env step), the Q(lambda) targets (a forward pass per env
step) and the learner (update_epochs forward and backward passes per env step), in ms per 1000
env steps, for three ways of computing:

- plain: float32, channels-last tensors, frames scaled to [0, 1] before the first layer, Adam,
  targets in chunks of 4096 (the trainer as it was);
- fp32: float32 as the trainer computes it now (NCHW on CPUs, frames scaled in the first
  convolution's weights, fused Adam, targets in chunks of 256);
- auto: what `precision="auto"` picks here (bfloat16 autocast where the CPU has AVX512-BF16 or AMX).

    python benchmarks/trainer_profile.py [--env Breakout] [--rounds 3] [--save FILE]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

import fastpool
from fastpool.pqn import PQNConfig
from fastpool.training import Precision, q_network
from fastpool.training.runs import cpus


class _Plain(torch.nn.Module):
    """The former forward: float32 frames scaled by 1/255, channels-last."""

    def __init__(self, net: torch.nn.Module):
        super().__init__()
        self.net = net.to(memory_format=torch.channels_last)  # type: ignore[call-overload]

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        x = (obs.float() / 255.0).contiguous(memory_format=torch.channels_last)
        conv = self.net.features[0]
        x = F.conv2d(x, conv.weight, conv.bias, conv.stride)
        for layer in list(self.net.features)[1:]:
            x = layer(x)
        return self.net.head(x)


def _time(fn, seconds: float) -> float:
    """Seconds per call, over at least `seconds` after a warm-up."""
    fn()
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds or calls < 3:
        fn()
        calls += 1
    return elapsed / calls


def profile(env_id: str, way: str, seconds: float) -> dict[str, float]:
    cfg = PQNConfig.for_env(env_id, device="cpu")
    n, minibatch = cfg.num_envs, cfg.batch_size // cfg.num_minibatches
    torch.set_num_threads(cfg.torch_threads or cpus())
    envs = fastpool.make(env_id, num_envs=n, seed=0, num_threads=max(1, cpus() // 2), **cfg.env_options)
    obs, _ = envs.reset()
    shape, actions_n = envs.single_observation_space.shape, int(envs.single_action_space.n)
    rng = np.random.default_rng(0)
    acts = rng.integers(0, actions_n, size=(64, n))
    k = iter(range(1 << 62))
    env_s = _time(lambda: envs.step(acts[next(k) % 64]), seconds)
    envs.close()

    torch.manual_seed(0)
    net = q_network(shape, actions_n, cfg.hidden_sizes, layer_norm=True)
    precision = Precision.pick("fp32" if way != "auto" else "auto", torch.device("cpu"), images=True)
    if way == "plain":
        net, opt = _Plain(net), torch.optim.Adam(net.parameters(), lr=1e-4)
    else:
        opt = precision.optimizer(net.parameters(), 1e-4)
    batch = torch.as_tensor(np.concatenate([obs] * (minibatch // n + 1))[:minibatch])
    act_obs = torch.as_tensor(obs)
    chunk = 4096 if way == "plain" else 256  # the trainer's chunk for targets, then and now
    target_obs = torch.as_tensor(np.concatenate([obs] * max(1, chunk // n)))
    a, y = torch.randint(0, actions_n, (minibatch,)), torch.randn(minibatch)

    def act() -> None:
        with precision.acting():
            net(act_obs).argmax(1)

    def targets() -> None:
        with precision.targets():
            net(target_obs).max(1)

    def learn() -> None:
        with precision.autocast():
            q = net(batch).gather(1, a[:, None]).squeeze(1)
        loss = F.mse_loss(q.float(), y)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), cfg.max_grad_norm)
        opt.step()

    per_k = 1000.0  # env steps
    return {
        "env_step": env_s / n * per_k * 1e3,
        "act": _time(act, seconds) / n * per_k * 1e3,
        "targets": _time(targets, seconds) / len(target_obs) * per_k * 1e3,
        "learn": _time(learn, seconds) / minibatch * cfg.update_epochs * per_k * 1e3,
        "bf16": float(precision.bf16),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--env", default="Breakout")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--save", type=Path)
    args = p.parse_args()
    ways = ("plain", "fp32", "auto")
    rounds: dict[str, list[dict[str, float]]] = {w: [] for w in ways}
    for r in range(args.rounds):
        for w in ways[r % 3 :] + ways[: r % 3]:  # order rotated each round
            rounds[w].append(profile(args.env, w, args.seconds))
    parts = ("env_step", "act", "targets", "learn")
    median = {w: {k: float(np.median([x[k] for x in rounds[w]])) for k in parts} for w in ways}
    print(f"{args.env}, PQN's CPU preset, ms per 1000 env steps (median of {args.rounds} rounds), each part alone")
    print(f"{'way':<6}" + "".join(f"{k:>10}" for k in parts) + f"{'learner':>10}{'all':>10}")
    for w in ways:
        m = median[w]
        learner = m["act"] + m["targets"] + m["learn"]
        row = "".join(f"{m[k]:>10.0f}" for k in parts)
        print(f"{w:<6}{row}{learner:>10.0f}{learner + m['env_step']:>10.0f}")
    if args.save:
        cpu = platform.processor() or platform.machine()
        try:
            cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if "model name" in line)
        except (OSError, StopIteration):
            pass
        out = {"env": args.env, "cpu": cpu, "cpus": cpus(), "torch": torch.__version__, "rounds": rounds,
               "median_ms_per_1000_steps": median, "bf16_native": bool(rounds["auto"][0]["bf16"])}  # fmt: skip
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
