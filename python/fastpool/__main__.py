"""The command line: `fastpool` (or `python -m fastpool`) train | eval | list | bench."""

from __future__ import annotations

import argparse
import ast
import signal
import sys
import time
from typing import Any

import numpy as np
from gymnasium import spaces

import fastpool


def steps_per_second(env_id: str, num_envs: int, seconds: float, num_threads: int | None = None) -> float:
    """Sync steps of uniform random actions for about `seconds`; env steps per second."""
    env = fastpool.make(env_id, num_envs=num_envs, seed=0, num_threads=num_threads)
    env.reset()
    space, rng = env.single_action_space, np.random.default_rng(0)
    if isinstance(space, spaces.Discrete):
        actions = rng.integers(0, space.n, size=(64, num_envs))
    else:  # a float Box
        actions = rng.uniform(space.low, space.high, size=(64, num_envs, *space.shape)).astype(np.float32)
    steps, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for a in actions:
            env.step(a)
        steps += len(actions)
    env.close()
    return steps * num_envs / elapsed


def bench_cmd(args: argparse.Namespace) -> None:
    if not args.seconds > 0:
        sys.exit(f"fastpool bench: --seconds must be > 0, got {args.seconds}")
    if min(args.num_envs) < 1:
        sys.exit(f"fastpool bench: --num-envs must be >= 1, got {min(args.num_envs)}")
    try:
        fastpool.registry.resolve(args.env)
    except ValueError as e:
        sys.exit(f"fastpool bench: {e}")
    print(f"fastpool {fastpool.__version__}: {args.env} throughput, uniform random actions")
    print(f"{'num_envs':>9} {'env steps/s':>14}")
    for n in args.num_envs:
        print(f"{n:>9} {steps_per_second(args.env, n, args.seconds):>14,.0f}")


def list_cmd(args: argparse.Namespace) -> None:
    print("\n".join(fastpool.list_envs()))


def _override(text: str) -> tuple[str, object]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    key, value = text.split("=", 1)
    try:
        return key, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return key, value  # a plain string


def _trainer(algo: str) -> tuple[Any, Any, Any, frozenset[str]]:
    """(config class, train, load_config, RESUMABLE) of `algo`; torch loads only here."""
    if algo == "pqn":
        from fastpool.pqn import PQNConfig
        from fastpool.pqn import train as pqn_train
        from fastpool.pqn.train import RESUMABLE as PQN_RESUMABLE
        from fastpool.pqn.train import load_config as pqn_config

        return PQNConfig, pqn_train, pqn_config, PQN_RESUMABLE
    from fastpool.dqn import DQNConfig, train
    from fastpool.dqn.train import RESUMABLE, load_config

    return DQNConfig, train, load_config, RESUMABLE


def train_cmd(args: argparse.Namespace) -> None:
    from fastpool.training import CheckpointError, load_state

    config_cls, train, load_config, resumable = _trainer(args.algo)
    overrides = dict(args.set)
    if "env_id" in overrides:
        sys.exit("fastpool train: choose the env with --env, not --set env_id=...")
    for name in ("num_envs", "seed", "total_timesteps", "device", "run_dir", "backend", "num_workers"):
        if getattr(args, name) is not None:
            overrides[name] = getattr(args, name)
    if getattr(args, "save_replay", False):
        overrides["save_replay"] = True
    if args.no_overlap:
        overrides["overlap"] = False
    if args.overlap:
        overrides["overlap"] = True
    if args.stop_after is not None and args.stop_after < 1:
        sys.exit(f"fastpool train: --stop-after must be >= 1, got {args.stop_after}")
    if args.stop_after_seconds is not None and not args.stop_after_seconds > 0:
        sys.exit(f"fastpool train: --stop-after-seconds must be > 0, got {args.stop_after_seconds}")
    try:
        if args.resume:
            algo = load_state(args.resume).get("algo", "dqn")
            if algo != args.algo:
                raise ValueError(f"{args.resume} is a {algo} run: resume it with `fastpool train {algo}`")
            cfg = load_config(args.resume)
            if args.env is not None and args.env != cfg.env_id:
                raise ValueError(f"--env {args.env}: the checkpoint trains {cfg.env_id}; a resumed run keeps its env")
            fixed = sorted(set(overrides) - resumable)
            if fixed:
                raise ValueError(
                    f"{', '.join(fixed)} cannot change when resuming (the run must continue as it began); "
                    f"these can: {', '.join(sorted(resumable))}"
                )
            cfg = cfg.replace(**overrides)
        else:
            cfg = config_cls.for_env(args.env or "CartPole-v1", **overrides)
    except (TypeError, ValueError, CheckpointError) as e:
        sys.exit(f"fastpool train: {e}")
    from fastpool.training import UnsupportedEnv, pick_device

    try:
        pick_device(cfg.device)  # a device this torch cannot use is refused before a run directory exists
    except ValueError as e:
        sys.exit(f"fastpool train: {e}")
    try:
        result = train(
            cfg,
            resume=args.resume,
            progress=not args.no_progress,
            stop_after=args.stop_after,
            stop_after_seconds=args.stop_after_seconds,
        )
    except UnsupportedEnv as e:
        sys.exit(f"fastpool train: {cfg.env_id}: {e}")
    except OSError as e:  # a run directory that cannot be written, say
        sys.exit(f"fastpool train: {e}")
    if result.stopped_by:
        if result.checkpoint:
            print(f"stopped by {result.stopped_by} at env step {result.global_step:,}; checkpoint: {result.checkpoint}")
            print(f"resume:         fastpool train {args.algo} --resume {result.checkpoint}")
        else:
            print(f"stopped by {result.stopped_by} at env step {result.global_step:,}; no checkpoint could be written")
        sys.exit(128 + int(getattr(signal, result.stopped_by)))
    status = "solved" if result.solved else "finished"
    print(f"{status} {cfg.env_id} after {result.global_step:,} env steps; best eval mean return {result.best_eval:.1f}")
    print(f"learning curve: {result.run_dir / 'learning_curve.png'}")
    model = result.run_dir / ("best.pt" if (result.run_dir / "best.pt").exists() else "final.pt")
    print(f"{model.stem + ' model:':<15} {model}   (fastpool eval {model})")
    print(f"TensorBoard:    tensorboard --logdir {result.run_dir.parent}")


def eval_cmd(args: argparse.Namespace) -> None:
    from fastpool.training import (
        CheckpointError,
        Precision,
        env_dims,
        evaluate,
        load_state,
        make_eval_envs,
        pick_device,
        q_network,
    )

    if args.episodes < 1:
        sys.exit(f"fastpool eval: --episodes must be >= 1, got {args.episodes}")
    if args.num_envs is not None and args.num_envs < 1:
        sys.exit(f"fastpool eval: --num-envs must be >= 1, got {args.num_envs}")
    try:
        state = load_state(args.model)
        algo = state.get("algo", "dqn")
        cfg = _trainer(algo)[2](args.model)
    except CheckpointError as e:
        sys.exit(f"fastpool eval: {e}")
    device = pick_device(args.device)
    envs = make_eval_envs(cfg, num_envs=args.num_envs or min(args.episodes, 8))
    if args.video and envs.render_mode is None:
        sys.exit(f"fastpool eval: {cfg.env_id} cannot render, so no video can be written")
    obs_shape, num_actions = env_dims(envs)
    q = q_network(obs_shape, num_actions, cfg.hidden_sizes, layer_norm=algo == "pqn").to(device)
    q.load_state_dict(state["q"])
    precision = Precision.pick(cfg.precision, device, images=len(obs_shape) == 3)
    scores = evaluate(q, envs, args.episodes, precision, video=args.video)
    for i, s in enumerate(scores):
        print(f"episode {i + 1}: {s:g}")
    print(f"mean {np.mean(scores):.1f} +- {np.std(scores):.1f} over {len(scores)} episodes")
    if args.video:
        print(f"video: {args.video}")


def _train_parser(algo: argparse._SubParsersAction, name: str, help: str, config: str) -> argparse.ArgumentParser:
    p = algo.add_parser(name, help=help)
    p.add_argument("--env", help="env id (fastpool list); default CartPole-v1")
    p.add_argument("--num-envs", type=int, help="envs stepped together")
    p.add_argument("--seed", type=int)
    p.add_argument("--total-timesteps", type=int)
    p.add_argument("--device", help="auto (default), cpu, cuda, ...")
    p.add_argument(
        "--backend",
        choices=["local", "ray"],
        help="where the envs run: this process (default) or Ray actors (joins RAY_ADDRESS if set)",
    )
    p.add_argument("--num-workers", type=int, help="Ray actors for the envs (with --backend ray)")
    p.add_argument("--run-dir", help="where runs are written (default runs/)")
    p.add_argument(
        "--resume",
        metavar="CHECKPOINT",
        help="continue a run from its checkpoint.pt (--total-timesteps, --device and some --set fields may change)",
    )
    p.add_argument("--stop-after", type=int, metavar="STEPS", help="end this session at this env step")
    p.add_argument("--stop-after-seconds", type=float, metavar="S", help="end this session after this much wall time")
    overlap = p.add_mutually_exclusive_group()
    overlap.add_argument("--overlap", action="store_true", help="step envs while learning")
    overlap.add_argument("--no-overlap", action="store_true", help="do not step envs while learning")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument(
        "--set",
        type=_override,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=f"any {config} field, e.g. --set learning_rate=1e-4",
    )
    p.set_defaults(func=train_cmd, algo=name)
    return p


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="fastpool", description="Fast RL environment pools, and DQN on them.")
    sub = p.add_subparsers(dest="command", required=True)

    train = sub.add_parser("train", help="train an agent")
    algo = train.add_subparsers(dest="algo", required=True)
    dqn = _train_parser(algo, "dqn", "DQN (Double DQN by default); presets for classic control and Atari", "DQNConfig")
    dqn.add_argument("--save-replay", action="store_true", help="checkpoints include the replay buffer")
    _train_parser(algo, "pqn", "PQN (Q(lambda), LayerNorm, no replay buffer); presets as for DQN", "PQNConfig")

    ev = sub.add_parser("eval", help="play a trained model greedily; print scores, write a video")
    ev.add_argument("model", help="a best.pt / final.pt / checkpoint.pt")
    ev.add_argument("--episodes", type=int, default=10)
    ev.add_argument("--num-envs", type=int)
    ev.add_argument("--video", help="write env 0's first episode here (.mp4, .gif)")
    ev.add_argument("--device", default="auto")
    ev.set_defaults(func=eval_cmd)

    ls = sub.add_parser("list", help="list env ids")
    ls.set_defaults(func=list_cmd)

    b = sub.add_parser("bench", help="print a pool's throughput for a few sizes")
    b.add_argument("--env", default="CartPole-v1")
    b.add_argument("--num-envs", type=int, nargs="+", default=[64, 1024, 4096])
    b.add_argument("--seconds", type=float, default=2.0)
    b.set_defaults(func=bench_cmd)
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
