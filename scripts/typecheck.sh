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
# Batch and FinalStep are struct sequences, whose fields stubgen does not see: their stubs are
# written by hand (typed fields) and kept, once checked to name the module's fields in order.
"$py" - "$tmp/fastpool/_core.pyi" python/fastpool/_core.pyi <<'EOF'
import re
import sys

import fastpool._core as core

generated, kept = sys.argv[1:]
text, hand = open(generated).read(), open(kept).read()
for name in ("Batch", "FinalStep"):
    block = re.compile(rf"^class {name}\(.*?(?=^\S)", re.M | re.S)
    found = block.search(hand)
    fields = tuple(re.findall(r"^    def (\w+)\(self\)", found.group(), re.M)) if found else ()
    if fields != getattr(core, name).__match_args__:
        sys.exit(f"python/fastpool/_core.pyi: the stub of {name} (by hand) needs a property per field, in order")
    text = block.sub(lambda _, found=found: found.group(), text, count=1)
open(generated, "w").write(text)
EOF
if [ "${1:-}" = "--write" ]; then
  cp "$tmp/fastpool/_core.pyi" python/fastpool/_core.pyi
elif ! diff -u python/fastpool/_core.pyi "$tmp/fastpool/_core.pyi"; then
  echo "python/fastpool/_core.pyi does not match the built module: run scripts/typecheck.sh --write" >&2
  exit 1
fi
"$py" -m mypy python/fastpool
