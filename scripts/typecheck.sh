#!/usr/bin/env bash
# The typed API: the stubs of the C++ module (python/fastpool/_core.pyi) must match the
# built module, and mypy must pass over python/fastpool. Needs the typing extra (in test).
#   scripts/typecheck.sh           check
#   scripts/typecheck.sh --write   regenerate the stubs after changing the binding
set -euo pipefail
cd "$(dirname "$0")/.."
py=${VENV:-.venv}/bin/python
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$py" -m pybind11_stubgen fastpool._core --exit-code -o "$tmp"
if [ "${1:-}" = "--write" ]; then
  cp "$tmp/fastpool/_core.pyi" python/fastpool/_core.pyi
elif ! diff -u python/fastpool/_core.pyi "$tmp/fastpool/_core.pyi"; then
  echo "python/fastpool/_core.pyi does not match the built module: run scripts/typecheck.sh --write" >&2
  exit 1
fi
"$py" -m mypy python/fastpool
