"""Draw the documentation's figures from the benchmark results in benchmarks/results/ (the JSON
that `python benchmarks/compare.py --save ...` and pytest-benchmark write) into docs/img/."""

from __future__ import annotations

import json
import re
import statistics
import textwrap
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from docs_tables import ATARI_GOALS  # the scores the Atari curves are held to

# Legible at the size the site shows them (about 1000 px wide): no text under 9 pt at 110 dpi.
plt.rcParams.update({"font.size": 10, "axes.titlesize": 11, "legend.fontsize": 9, "figure.titlesize": 11})

ROOT = Path(__file__).resolve().parent.parent
RESULTS, OUT = ROOT / "benchmarks" / "results", ROOT / "docs" / "img"
COLORS = {"fastpool": "#3f51b5", "envpool": "#e67e22", "gymnasium": "#7f8c8d", "ale-py": "#27ae60"}


def save(fig: plt.Figure, name: str) -> None:
    """Write a figure with nothing cut off: the bounding box grows to hold every title and label."""
    fig.tight_layout()
    fig.savefig(OUT / name, dpi=110, bbox_inches="tight", pad_inches=0.1)
    plt.close(fig)


def wrapped(title: str, fig: plt.Figure) -> str:
    """A title broken into lines that fit the figure's width."""
    chars = int(fig.get_figwidth() * 72 / (0.6 * plt.rcParams["axes.titlesize"]))
    return textwrap.fill(title, chars)


# the pytest-benchmark runs the figures are drawn from (the other results files have pages of their own)
PLOTTED = ("throughput.json", "learning_speed.json")


def load() -> tuple[list[dict], str]:
    benchmarks, machines = [], set()
    for path in (RESULTS / name for name in PLOTTED):
        if not path.exists():
            continue
        data = json.loads(path.read_text())
        cpu = data["machine_info"]["cpu"]
        machines.add(f"{cpu.get('brand_raw', '?')}, {cpu['count']} CPUs")
        benchmarks += data["benchmarks"]
    return benchmarks, "; ".join(sorted(machines))


def rates(benchmarks: list[dict]) -> dict[str, dict[str, float]]:
    """group -> lib -> env steps per second (median round)."""
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for b in benchmarks:
        info = b["extra_info"]
        if b.get("group") and "env_steps" in info and "rss_bytes" not in info and "steps_to_solve" not in info:
            out[b["group"]][info["lib"]] = info["env_steps"] / b["stats"]["median"]
    return out


def throughput(groups: dict[str, dict[str, float]], machine: str) -> None:
    """Env steps/s against num_envs for every env with results, one panel each."""
    by_env: dict[str, dict[str, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    for group, libs in groups.items():
        m = re.fullmatch(r"(\S+) N=(\d+)", group)
        if m:
            for lib, rate in libs.items():
                by_env[m.group(1)][lib][int(m.group(2))] = rate
    if not by_env:
        return
    cols = min(3, len(by_env))
    rows = -(-len(by_env) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 3.0 * rows), squeeze=False)
    for ax in axes.flat[len(by_env) :]:
        ax.set_visible(False)
    for ax, (env, libs) in zip(axes.flat, sorted(by_env.items())):
        for lib, points in sorted(libs.items()):
            n = sorted(points)
            ax.plot(n, [points[k] for k in n], "o-", label=lib, color=COLORS.get(lib))
        ax.set(xscale="log", yscale="log", title=env, xlabel="num_envs", ylabel="env steps / s")
    axes[0][0].legend()
    fig.suptitle(wrapped(f"Throughput, random actions ({machine})", fig))
    save(fig, "throughput.png")


def atari(groups: dict[str, dict[str, float]], raw: float | None, machine: str) -> None:
    numbers = lambda g: [int(x) for x in re.findall(r"\d+", g)]
    setups = sorted((g for g in groups if g.startswith("Breakout N=")), key=numbers)
    if not setups:
        return
    libs = sorted({lib for g in setups for lib in groups[g]}, key=lambda lib: (lib != "fastpool", lib))
    fig, ax = plt.subplots(figsize=(8, 3.6))
    width = 0.8 / len(libs)
    for k, lib in enumerate(libs):
        xs = [i + k * width for i, g in enumerate(setups) if lib in groups[g]]
        ys = [4 * groups[g][lib] for g in setups if lib in groups[g]]
        ax.bar(xs, ys, width, label=lib, color=COLORS.get(lib))
    if raw:
        ax.axhline(4 * raw, color="black", lw=0.8, ls="--", label="one raw emulator")
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(setups))], [g.replace("Breakout ", "") for g in setups])
    ax.set(ylabel="frames / s", title=wrapped(f"Breakout, DQN preprocessing ({machine})", fig))
    ax.legend()
    save(fig, "atari.png")


def memory(benchmarks: list[dict]) -> None:
    rss = {b["extra_info"]["lib"]: b["extra_info"]["rss_bytes"] / 2**20 for b in benchmarks
           if b.get("group") == "memory Breakout N=64"}  # fmt: skip
    if not rss:
        return
    fig, ax = plt.subplots(figsize=(5, 2.6))
    names = sorted(rss, key=rss.get)
    ax.barh(names, [rss[n] for n in names], color=[COLORS.get(n, "#999") for n in names])
    ax.set(xlabel="MiB added by a Breakout pool of 64 envs", title="Memory")
    save(fig, "memory.png")


def learning(benchmarks: list[dict]) -> None:
    runs: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for b in benchmarks:
        info = b["extra_info"]
        if "cartpole" in b["name"] and "wall_s" in info and info["solved"]:
            trainer = info["lib"].rsplit(" seed", 1)[0]
            runs[trainer].append((info["wall_s"], info["steps_to_solve"]))
    if not runs:
        return
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3))
    for k, (_, points) in enumerate(sorted(runs.items())):
        ax1.plot([p[0] for p in points], [k] * len(points), "o", alpha=0.7)
        ax2.plot([p[1] / 1000 for p in points], [k] * len(points), "o", alpha=0.7)
    for ax in (ax1, ax2):
        ax.set_yticks(range(len(runs)), sorted(runs))
        ax.set_xlim(left=0)
    ax1.set(xlabel="wall clock to solve (s)", title="CartPole-v1, greedy eval >= 475")
    ax2.set(xlabel="env steps to solve (thousands)")
    save(fig, "learning_speed.png")


def rounds() -> None:
    """fastpool / each peer per alternated round (benchmarks/atari_rounds.py --save)."""
    path = RESULTS / "rounds" / "atari.json"
    if not path.exists():
        return
    data = json.loads(path.read_text())
    peers = [(key, name) for key, name in (("ale_py", "ale-py"), ("envpool_1_2_7", "EnvPool 1.2.7")) if data.get(key)]
    setups = data["setups"]
    fig, ax = plt.subplots(figsize=(9, 3.6))
    width = 0.8 / len(peers)
    for k, (key, name) in enumerate(peers):
        color = COLORS["ale-py" if key == "ale_py" else "envpool"]
        for i, setup in enumerate(setups):
            ratios = [a / b for a, b in zip(data["fastpool"][setup], data[key][setup])]
            x = i + (k - (len(peers) - 1) / 2) * width
            ax.bar(x, statistics.median(ratios), width, color=color, alpha=0.6, label=name if i == 0 else None)
            ax.plot([x] * len(ratios), ratios, "k.", alpha=0.7)
    ax.axhline(1.0, color="black", lw=0.8)
    ax.set_xticks(range(len(setups)), [s.replace(", ", "\n") for s in setups], fontsize=9)
    title = f"Breakout, median of {data['rounds']} rounds of {data['seconds']:g} s (dots: rounds); {data['machine']}"
    ax.set(ylabel="fastpool / peer", ylim=(0, None), title=wrapped(title, fig))  # bars start at 0
    ax.legend(loc="lower right")
    save(fig, "atari_rounds.png")


def atari_learning() -> None:
    """Greedy evaluations against wall clock from process start, one panel per game, a line per
    trainer and seed (benchmarks/atari_learning.py); and the table docs/snippets/atari_learning.md."""
    runs = [json.loads(p.read_text()) for p in sorted((RESULTS / "atari_learning").glob("*.json"))]
    snippet = ROOT / "docs" / "snippets" / "atari_learning.md"
    snippet.parent.mkdir(parents=True, exist_ok=True)
    if not runs:
        snippet.write_text("No Atari learning runs are saved in benchmarks/results/atari_learning/ yet.\n")
        return
    games = sorted({r["env"] for r in runs})
    fig, axes = plt.subplots(1, len(games), figsize=(4.2 * len(games), 3.8), squeeze=False)
    rows = [
        "| game | run | env steps | steps/s | best eval (minute) | last eval | goal: first reached (minute) "
        "| other work (cores) |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for ax, game in zip(axes[0], games):
        for r in (r for r in runs if r["env"] == game):
            ev = r["evals"]
            label = f"{r['algo'].upper()} seed {r['seed']}"
            ax.plot([e["wall_s"] / 60 for e in ev], [e["mean_return"] for e in ev], "o-", ms=3, label=label)
            best = max(ev, key=lambda e: e["mean_return"]) if ev else None
            at = f"{best['mean_return']:.1f} ({best['wall_s'] / 60:.0f})" if best else "-"
            last = f"{ev[-1]['mean_return']:.1f}" if ev else "-"
            run = f"{r['algo'].upper()} seed {r['seed']}, {r['budget_minutes']:g} min"
            reached = "-"
            if game in ATARI_GOALS:
                goal, minutes = ATARI_GOALS[game]
                hit = next((e for e in ev if e["mean_return"] >= goal), None)
                when = f" ({hit['wall_s'] / 60:.0f})" if hit else ""
                met = "yes" if hit and hit["wall_s"] <= minutes * 60 else "no"
                reached = f"{goal:g} in {minutes} min: {met}{when}"
            others = r.get("other_processes_cpu_cores")  # not recorded by the first runs
            rows.append(
                f"| {game} | {run} | {r['env_steps']:,} | {r['env_steps_per_s']:,.0f} | {at} | {last} | {reached} "
                f"| {'-' if others is None else others} |"
            )
        if game in ATARI_GOALS:
            goal, minutes = ATARI_GOALS[game]
            ax.plot([0, minutes], [goal, goal], "--", color="gray", lw=0.8, label=f"goal: {goal:g} in {minutes} min")
        ax.set(title=game, ylabel="greedy eval, whole games")
        ax.set_xlabel("minutes from process start", labelpad=2)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=2, frameon=False)  # below: covers no curve
    m = runs[0]["machine"]
    fig.suptitle(wrapped(f"Atari on {m['cpus']} CPU cores ({m['cpu']}), no GPU", fig))
    save(fig, "atari_learning.png")
    bf16 = "bfloat16 in hardware" if m["bf16_native"] else "no bfloat16 in hardware"
    note = f"\nGreedy evaluations of whole games; {m['cpus']} cores of {m['cpu']}, torch {m['torch']}, {bf16}.\n"
    snippet.write_text("\n".join(rows) + "\n" + note)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    benchmarks, machine = load()
    groups = rates(benchmarks)
    raw = groups.pop("ceiling", {}).get("raw ALE, 1 thread")
    throughput({g: v for g, v in groups.items() if not g.startswith("Breakout")}, machine)
    atari(groups, raw, machine)
    memory(benchmarks)
    learning(benchmarks)
    rounds()
    atari_learning()
    print(f"figures in {OUT.relative_to(ROOT)}: {', '.join(sorted(p.name for p in OUT.glob('*.png')))}")


if __name__ == "__main__":
    main()
