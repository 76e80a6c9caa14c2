"""Run the benchmarks once and print one side-by-side table: rates and ratios from the same run.

python benchmarks/compare.py [--save results.json] [-k PATTERN]     (scripts/bench.sh installs the peers first)

--save keeps pytest-benchmark's JSON (the docs' plots are drawn from benchmarks/results/).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).parent


def main() -> None:
    args = sys.argv[1:]
    save = None
    if args[:1] == ["--save"]:
        save, args = Path(args[1]).resolve(), args[2:]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench.json"
        cmd = [sys.executable, "-m", "pytest", "-q", str(HERE), f"--benchmark-json={out}", *args]
        subprocess.run(cmd, check=True, cwd=HERE)
        if save:
            save.parent.mkdir(parents=True, exist_ok=True)
            save.write_text(out.read_text())
        results = json.loads(out.read_text())["benchmarks"]

    groups: dict[str, dict[str, float]] = defaultdict(dict)
    memory: dict[str, float] = {}
    notes: list[str] = []
    for b in results:
        info = b["extra_info"]
        if "note" in info:
            notes.append(info["note"])
        if "rss_bytes" in info:
            memory[info["lib"]] = info["rss_bytes"]
        elif "steps_to_solve" in info:
            solved = "solved" if info["solved"] else "NOT solved"
            wall = f" in {info['wall_s']:.0f} s" if "wall_s" in info else ""
            print(f"{b['group']}: {info['lib']}: {solved} at {info['steps_to_solve']:,} env steps{wall}")
        else:
            groups[b["group"]][info["lib"]] = info["env_steps"] / b["stats"]["median"]

    # Atari: the ceiling is one raw emulator's rate times the thread count.
    raw = groups.pop("ceiling", {}).get("raw ALE, 1 thread")
    if raw:
        print(f"\nraw ALE ceiling: {4 * raw:,.0f} frames/s per thread")
    print(
        f"\n{'workload':<30} {'library':<16} {'env steps/s':>13} {'frames/s':>10} "
        f"{'fastpool/this':>14} {'of ceiling':>11}"
    )
    for group, libs in groups.items():
        ours = libs.get("fastpool")
        threads = re.search(r"threads=(\d+)", group)
        atari = group.startswith("Breakout")
        for lib, rate in sorted(libs.items(), key=lambda kv: -kv[1]):
            ratio = f"{ours / rate:.2f}x" if ours else "-"
            frames = f"{4 * rate:,.0f}" if atari else "-"
            ceiling = f"{rate / (raw * int(threads.group(1))):.0%}" if atari and raw and threads else "-"
            print(f"{group:<30} {lib:<16} {rate:>13,.0f} {frames:>10} {ratio:>14} {ceiling:>11}")
    for note in notes:
        print(f"\n{note}")
    if memory:
        print(f"\n{'memory':<30} {'what':<20} {'RSS added':>13}")
        for lib, rss in sorted(memory.items(), key=lambda kv: kv[1]):
            print(f"{'':<30} {lib:<20} {rss / 2**20:>9.1f} MiB")


if __name__ == "__main__":
    main()
