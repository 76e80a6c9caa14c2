#!/usr/bin/env bash
# The documentation site (MkDocs + Material; the API reference by mkdocstrings from the
# docstrings and the stubs of fastpool._core). Figures and tables are drawn from benchmarks/results/ first;
# the options reference and the env list are generated from fastpool itself, as installed in
# PKG_VENV (default .venv, set up by scripts/setup.sh here when it lacks this tree's fastpool).
# The build is strict: a broken link, image or reference fails it.
# Usage: scripts/docs.sh          build into site/
#        scripts/docs.sh serve    preview at http://127.0.0.1:8000, reloading on edits
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv-docs}
if [ ! -x "$VENV/bin/python" ]; then
  "${PYTHON:-python3}" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q pip==26.3
fi
"$VENV/bin/python" -m pip install -q -c constraints/docs.txt mkdocs mkdocs-material mkdocstrings-python matplotlib ruff
"$VENV/bin/python" scripts/docs_plots.py
"$VENV/bin/python" scripts/docs_tables.py
PKG_VENV=${PKG_VENV:-.venv}
if ! "$PKG_VENV/bin/python" scripts/docs_reference.py --check 2>/dev/null; then
  VENV="$PKG_VENV" scripts/setup.sh train  # the trainers: their config tables
fi
"$PKG_VENV/bin/python" scripts/docs_reference.py
export NO_MKDOCS_2_WARNING=1
case "${1:-build}" in
  build) "$VENV/bin/mkdocs" build --strict ;;
  serve) "$VENV/bin/mkdocs" serve ;;
  *) echo "usage: scripts/docs.sh [build|serve]" >&2; exit 2 ;;
esac
