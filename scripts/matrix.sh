#!/usr/bin/env bash
# The tested matrix: CPython x gymnasium x numpy, both ends of each range in pyproject.toml.
# Each cell installs the wheel that scripts/wheels.sh built for its interpreter (built here
# first if missing) into a fresh venv with that cell's versions, and runs the core suite:
# CartPole against gymnasium, seeding, the vector API and its conformance, errors, Atari.
#   scripts/matrix.sh            every cell
#   scripts/matrix.sh --smoke    one quick test file per cell (CI)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
PYENV_ROOT=${PYENV_ROOT:-$HOME/.pyenv}
# python gymnasium numpy: the oldest and newest releases each interpreter has wheels for
CELLS=(
  "3.10.13 1.2.2 1.24.4"
  "3.10.13 1.4.0 2.2.6"
  "3.11.7 1.2.2 1.24.4"
  "3.11.7 1.4.0 2.4.6"
  "3.12.1 1.2.2 1.26.4"
  "3.12.1 1.4.0 2.4.6"
  "3.13.0 1.2.2 2.1.3"
  "3.13.0 1.4.0 2.4.6"
)
tests=(tests/test_cartpole.py tests/test_classic_control.py tests/test_seeding.py tests/test_vector_api.py tests/test_errors.py tests/test_atari.py
       tests/conformance/test_gymnasium_vector.py tests/conformance/test_gymnasium_make.py
       tests/conformance/test_seeded_resets.py)
[ "${1:-}" = "--smoke" ] && tests=(tests/test_cartpole.py tests/test_vector_api.py)
export PIP_CONSTRAINT=$root/constraints/build.txt  # pybind11 and scikit-build-core in the builds
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
results=()
for cell in "${CELLS[@]}"; do
  read -r v gym np <<<"$cell"
  tag=cp$(echo "${v%.*}" | tr -d .)
  whl=$(ls wheelhouse/fastpool-*-"$tag"-*.whl 2>/dev/null | head -1 || true)
  if [ -z "$whl" ]; then
    mkdir -p dist/raw
    "$PYENV_ROOT/versions/$v/bin/python" -m pip wheel -q --no-deps -w dist/raw .
    whl=$(ls dist/raw/fastpool-*-"$tag"-*.whl | head -1)
  fi
  venv=$work/$tag-$gym-$np
  "$PYENV_ROOT/versions/$v/bin/python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q pip==26.3
  "$venv/bin/python" -m pip install -q --only-binary :all: "$whl" "gymnasium==$gym" "numpy==$np" \
    pytest==9.2.0 hypothesis==6.155.2
  summary=$(cd "$work" && "$venv/bin/python" -m pytest -q -p no:cacheprovider "${tests[@]/#/$root/}" 2>&1 | tail -1) ||
    status=failed
  results+=("| $v | $gym | $np | $(basename "$whl") | ${summary} |")
  echo "${results[-1]}"
done
echo
echo "| CPython | gymnasium | numpy | wheel | tests |"
echo "|---|---|---|---|---|"
printf '%s\n' "${results[@]}"
[ -z "${status:-}" ]
