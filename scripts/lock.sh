#!/usr/bin/env bash
# Regenerate constraints/*.txt: resolve each environment's extras (without installing) and
# pin every package the resolver picked. Run after changing a range in pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PYTHON" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install -q pip==26.3

lock() {  # lock NAME HEADER REQUIREMENT...
  local name=$1 header=$2
  shift 2
  "$tmp/venv/bin/python" -m pip install -q --dry-run --ignore-installed --report "$tmp/$name.json" "$@"
  "$tmp/venv/bin/python" - "$tmp/$name.json" "constraints/$name.txt" "$header" <<'PY'
import json, sys
report, out, header = sys.argv[1:]
pins = sorted(
    (i["metadata"]["name"].lower(), i["metadata"]["version"].split("+")[0])  # torch 2.13.0+cpu: the CPU file on disk
    for i in json.load(open(report))["install"]
    if i["metadata"]["name"].lower() != "fastpool"
)
with open(out, "w") as f:
    f.write(header.replace("\\n", "\n") + "# Regenerate: scripts/lock.sh\n" + "".join(f"{n}=={v}\n" for n, v in pins))
PY
}

lock main "# Exact versions for the main environment (.venv) made by scripts/setup.sh and used by CI:\n# CPython 3.11, the newest gymnasium, the CPU build of torch. pyproject.toml states the ranges.\n" \
  ".[test,bench,envpool]" gymnasium==1.4.0 torch==2.13.0
lock rllib "# Exact versions for RLlib's own test environment (.venv-rllib): RLlib pins gymnasium==1.2.2.\n" \
  ".[rllib,sanitize]" torch==2.13.0
lock docs "# Exact versions of the documentation tools in .venv-docs (scripts/docs.sh).\n" \
  "mkdocs>=1.6.1,<2" "mkdocs-material>=9.8.2,<10" "mkdocstrings-python>=2.0.11,<3" "matplotlib>=3.11,<4" \
  "ruff>=0.16,<1"
git diff --stat constraints/
