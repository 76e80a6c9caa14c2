"""Atari throughput, fastpool beside EnvPool 1.2.7 and ale-py's `AtariVectorEnv`, in alternated
rounds: this machine's speed drifts by 20% within minutes, so each round measures every setup for
every library back to back (the order rotated every round) and the table reports per-round ratios
and their median.

    python benchmarks/atari_rounds.py [--rounds 4] [--seconds 3] [--wheel DIR] [--save FILE]

fastpool and ale-py run in this interpreter's environment (fastpool as installed there: a plain
`pip install .` by scripts/setup.sh); with --wheel, also the fastpool installed in DIR (e.g. the
profile-guided wheel of scripts/wheels.sh, `pip install --no-deps --target DIR WHEEL`); EnvPool
in .venv-peers (CPython 3.12, made by scripts/bench.sh), or the interpreter named by
FASTPOOL_PEER_PYTHON. Each measurement runs in its own process (`atari_rate.py`), so no pool's
threads outlive it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
PEER_PYTHON = os.environ.get("FASTPOOL_PEER_PYTHON", str(HERE.parent / ".venv-peers" / "bin" / "python"))

# (label, num_envs, num_threads, batch_size)
SETUPS = [
    ("sync N=64, 2 threads", 64, 2, 64),
    ("sync N=8, 2 threads", 8, 2, 8),
    ("sync N=8, 1 thread", 8, 1, 8),
    ("async N=16 batch 8, 2 threads", 16, 2, 8),
    ("async N=64 batch 16, 2 threads", 64, 2, 16),
]
# Start-up: seconds from make() to the first observation, and of a reset with new seeds
STARTUP = ("N=64, 2 threads", 64, 2)
# fastpool alone: the 1-thread rates the 2-thread rows scale from, and the raw emulator
OWN = [("fastpool sync N=64, 1 thread", 64, 1, 64)]


# How --wheel's fastpool is expected to be built (saved with its rates)
WHEEL_BUILD = "profile-guided with GCC, built as scripts/wheels.sh builds them"
# (key in the saved JSON, name in the table, library for atari_rate.py)
PEERS = [("envpool_1_2_7", "EnvPool 1.2.7", "envpool"), ("ale_py", "ale-py", "ale-py")]


# Where a library's fastpool comes from: PYTHONPATH for the wheel's (None: the interpreter's own)
PATHS: dict[str, str | None] = {}


def rate_script(python: str, lib: str, *args: object) -> list[str]:
    """What atari_rate.py prints last, run with `python` in a process of its own."""
    argv = [python, str(HERE / "atari_rate.py"), *map(str, args)]
    path = PATHS.get(lib)
    env = {**os.environ, "PYTHONPATH": path} if path else None
    return subprocess.run(argv, capture_output=True, text=True, check=True, env=env).stdout.split()


def rate(python: str, lib: str, num_envs: int, threads: int, batch: int, seconds: float) -> float:
    name = "fastpool" if lib == "fastpool-wheel" else lib
    return float(rate_script(python, lib, name, num_envs, threads, batch, seconds)[-1])


def startup(python: str, lib: str, num_envs: int, threads: int) -> tuple[float, float]:
    name = "fastpool" if lib == "fastpool-wheel" else lib
    made, reseeded = rate_script(python, lib, "startup", name, num_envs, threads)[-2:]
    return float(made), float(reseeded)


def fastpool_from(path: str) -> str:
    """The directory fastpool is imported from with PYTHONPATH=path."""
    probe = [sys.executable, "-c", "import fastpool, os; print(os.path.dirname(fastpool.__file__))"]
    env = {**os.environ, "PYTHONPATH": path}
    return subprocess.run(probe, capture_output=True, text=True, check=True, env=env).stdout.strip()


def median_or_none(values: list[float | None]) -> float | None:
    return None if None in values else statistics.median(values)  # type: ignore[type-var]


def cpu_model() -> str:
    try:  # Linux names the model here; elsewhere the architecture must do
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--wheel", type=Path, help="also measure the fastpool installed in this directory")
    p.add_argument("--save", type=Path, help="write the per-round rates here as JSON (the docs' figure reads it)")
    args = p.parse_args()
    if args.rounds < 1 or args.seconds <= 0:
        sys.exit("--rounds must be >= 1 and --seconds > 0")
    pythons = {"fastpool": sys.executable, "ale-py": sys.executable, "envpool": PEER_PYTHON}
    if not Path(PEER_PYTHON).exists():
        print(f"EnvPool's interpreter {PEER_PYTHON} is missing (scripts/bench.sh makes it): no EnvPool rows")
        del pythons["envpool"]
    if args.wheel:
        where = fastpool_from(str(args.wheel.resolve()))
        if not where.startswith(str(args.wheel.resolve())):
            sys.exit(f"--wheel {args.wheel}: fastpool is imported from {where}, not from there")
        pythons["fastpool-wheel"] = sys.executable
        PATHS["fastpool-wheel"] = str(args.wheel.resolve())
    libs = [lib for lib in ("fastpool", "fastpool-wheel", "envpool", "ale-py") if lib in pythons]

    rates: dict[str, dict[str, list[float]]] = {lib: {} for lib in libs}
    ours = rates["fastpool"]
    starts: dict[str, dict[str, list[float | None]]] = {lib: {"make": [], "reseed": []} for lib in libs}
    for r in range(args.rounds):
        order = libs[r % len(libs) :] + libs[: r % len(libs)]
        if r % 2:
            order.reverse()
        for label, n, threads, batch in SETUPS:
            for lib in order:
                rates[lib].setdefault(label, []).append(rate(pythons[lib], lib, n, threads, batch, args.seconds))
        for lib in order:
            made, reseeded = startup(pythons[lib], lib, STARTUP[1], STARTUP[2])
            starts[lib]["make"].append(made)
            starts[lib]["reseed"].append(None if math.isnan(reseeded) else reseeded)  # EnvPool: seeds at make()
        for label, n, threads, batch in OWN:
            ours.setdefault(label, []).append(rate(sys.executable, "fastpool", n, threads, batch, args.seconds))
        ours.setdefault("raw ALE (ale-py wheel), 1 emulator", []).append(
            rate(sys.executable, "raw-ale", 1, 1, 0, args.seconds)
        )
        ours.setdefault("fastpool sync N=8, 1 thread (again)", []).append(
            rate(sys.executable, "fastpool", 8, 1, 8, args.seconds)
        )
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)

    print(f"\nBreakout, DQN preprocessing, frames/s; {args.rounds} alternated rounds of {args.seconds:g} s each")
    comparisons = [("fastpool", "fastpool", lib, name) for _key, name, lib in PEERS if lib in rates]
    if "fastpool-wheel" in rates:
        comparisons = (
            [("fastpool-wheel", "wheel", "fastpool", "source build")]
            + comparisons
            + [("fastpool-wheel", "wheel", lib, name) for _key, name, lib in PEERS if lib in rates]
        )
    for lib_a, name_a, lib_b, name_b in comparisons:
        mine, theirs = rates[lib_a], rates[lib_b]
        print(f"\n{'setup':<34} {name_a + '/' + name_b + ' per round':<40} {'median':>7} {name_a:>10} {name_b:>14}")
        for label, *_ in SETUPS:
            ratios = [a / b for a, b in zip(mine[label], theirs[label])]
            per_round = ", ".join(f"{x:.2f}" for x in ratios)
            print(
                f"{label:<34} {per_round:<40} {statistics.median(ratios):>6.2f}x "
                f"{statistics.median(mine[label]):>10,.0f} {statistics.median(theirs[label]):>14,.0f}"
            )

    print(f"\nstart-up, {STARTUP[0]}, seconds (median): make() to the first observation; a reset with new seeds")
    for lib in libs:
        made, reseeded = (median_or_none(starts[lib][k]) for k in ("make", "reseed"))
        print(f"{lib:<10} {made:>7.2f} " + (f"{reseeded:>7.2f}" if reseeded is not None else "    n/a"))

    raw = ours["raw ALE (ale-py wheel), 1 emulator"]
    one8 = [(a + b) / 2 for a, b in zip(ours["sync N=8, 1 thread"], ours["fastpool sync N=8, 1 thread (again)"])]
    one64 = ours["fastpool sync N=64, 1 thread"]
    print(f"\nraw ALE, official ale-py wheel, 1 emulator: {statistics.median(raw):,.0f} frames/s")
    rows = [
        ("fastpool 1 thread N=8 / raw ALE wheel", [a / b for a, b in zip(one8, raw)]),
        ("fastpool 2 threads / 2 x 1 thread, N=8", [a / (2 * b) for a, b in zip(ours["sync N=8, 2 threads"], one8)]),
        ("fastpool 2 threads / 2 x 1 thread, N=64", [a / (2 * b) for a, b in zip(ours["sync N=64, 2 threads"], one64)]),
    ]
    if "fastpool-wheel" in rates:
        wheel8 = rates["fastpool-wheel"]["sync N=8, 1 thread"]
        rows.append(("wheel 1 thread N=8 / raw ALE wheel", [a / b for a, b in zip(wheel8, raw)]))
    for label, values in rows:
        per_round = ", ".join(f"{x:.2f}" for x in values)
        print(f"{label:<42} {per_round:<28} median {statistics.median(values):.2f}")
    if args.save:
        import ale_py

        machine = f"{cpu_model()}, {os.cpu_count()} CPUs, CPython {platform.python_version()}"
        result = {"machine": machine, "rounds": args.rounds, "seconds": args.seconds,
                  "setups": [label for label, *_ in SETUPS], "ale_py_version": ale_py.__version__,
                  "fastpool": ours, **{key: rates[lib] for key, _, lib in PEERS if lib in rates},
                  "startup_setup": STARTUP[0],
                  "startup": {key: starts[lib] for key, lib in [("fastpool", "fastpool")] + [
                      (key, lib) for key, _, lib in PEERS] if lib in starts}}  # fmt: skip
        if "fastpool-wheel" in rates:
            result |= {"fastpool_wheel": rates["fastpool-wheel"], "fastpool_wheel_startup": starts["fastpool-wheel"],
                       "fastpool_wheel_build": WHEEL_BUILD}  # fmt: skip
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
