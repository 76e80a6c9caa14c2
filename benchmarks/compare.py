"""Run the benchmarks once and print one side-by-side table: env steps/s and ratios.

    python benchmarks/compare.py [-k PATTERN]     (scripts/bench.sh installs the peers first)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).parent


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench.json"
        cmd = [sys.executable, "-m", "pytest", "-q", str(HERE), f"--benchmark-json={out}", *sys.argv[1:]]
        subprocess.run(cmd, check=True, cwd=HERE)
        results = json.loads(out.read_text())["benchmarks"]

    groups: dict[str, dict[str, float]] = defaultdict(dict)
    for b in results:
        info = b["extra_info"]
        groups[b["group"]][info["lib"]] = info["env_steps"] / b["stats"]["median"]

    print(f"\n{'workload':<28} {'library':<18} {'env steps/s':>14} {'fastpool / this':>16}")
    for group, libs in groups.items():
        ours = libs.get("fastpool")
        for lib, rate in sorted(libs.items(), key=lambda kv: -kv[1]):
            ratio = f"{ours / rate:.2f}x" if ours else "-"
            print(f"{group:<28} {lib:<18} {rate:>14,.0f} {ratio:>16}")


if __name__ == "__main__":
    main()
