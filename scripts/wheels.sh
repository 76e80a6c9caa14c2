#!/usr/bin/env bash
# Wheels, built here and installed as a user would:
#   1. a wheel for each CPython (pyenv 3.10-3.13), built with profile-guided optimization (an
#      instrumented build of the same interpreter plays a few games first: scripts/pgo_profile.sh),
#      repaired by auditwheel into wheelhouse/ (zlib grafted in, the manylinux tag the binary
#      really meets);
#   2. the sdist, and a wheel built from it offline (no index; ALE's sources from
#      FASTPOOL_ALE_SOURCE_DIR);
#   3. each wheel installed into a fresh venv and the test suite run against it, with a PATH
#      that has no compiler, from outside the source tree;
#   4. the wheel installed into a venv that already holds gymnasium 1.4.0 and torch: they stay,
#      and `pip check` is clean.
# Usage: scripts/wheels.sh        PYTHONS="3.11.7" scripts/wheels.sh   (a subset)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
PYENV_ROOT=${PYENV_ROOT:-$HOME/.pyenv}
PYTHONS=${PYTHONS:-"3.10.13 3.11.7 3.12.1 3.13.0"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

export PIP_CONSTRAINT=$root/constraints/build.txt  # pybind11 and scikit-build-core in the builds
if [ ! -x .venv-tools/bin/auditwheel ]; then
  python3 -m venv .venv-tools
  .venv-tools/bin/python -m pip install -q pip==26.3
  .venv-tools/bin/python -m pip install -q -r constraints/tools.txt
fi
rm -rf dist wheelhouse
mkdir -p dist/raw wheelhouse

# A PATH with the usual tools but no C/C++ compiler: the installed wheel must need none.
nocc=$work/nocc-bin
mkdir -p "$nocc"
for f in /usr/bin/* /bin/*; do
  case $(basename "$f") in
    cc | c++ | gcc* | g++* | cpp* | clang* | *-linux-gnu-* | ld | ld.* | as | cmake | ninja | make) ;;
    *) [ -e "$nocc/$(basename "$f")" ] || ln -s "$f" "$nocc/$(basename "$f")" ;;
  esac
done

# 1. one wheel per interpreter, profile-guided (scripts/pgo_profile.sh; GCC, others build plainly)
for v in $PYTHONS; do
  py=$PYENV_ROOT/versions/$v/bin/python
  echo "== profiling an instrumented build for CPython $v"
  scripts/pgo_profile.sh "$py"
  echo "== building the wheel for CPython $v"
  "$py" -m pip wheel -q --no-deps -w dist/raw --config-settings=build-dir="build/pgo-{wheel_tag}" \
    --config-settings=cmake.define.FASTPOOL_PGO=use .
done
PATH="$root/.venv-tools/bin:$PATH" .venv-tools/bin/auditwheel repair -w wheelhouse dist/raw/*.whl 2>&1 | grep -v "^WARNING: Location"

# 2. the sdist, and a wheel from it with no index at all
.venv-tools/bin/python -m build --sdist -o dist . >/dev/null
sdist=$(ls dist/fastpool-*.tar.gz)
ale_src=$(ls -d build/pgo-cp311-*/_deps/ale-py/ale_py-* | head -1)
py311=$PYENV_ROOT/versions/3.11.7/bin/python
"$py311" -m venv "$work/offline"
"$work/offline/bin/python" -m pip install -q pip scikit-build-core pybind11  # at constraints/build.txt
FASTPOOL_ALE_SOURCE_DIR=$root/$ale_src "$work/offline/bin/python" -m pip wheel -q --no-deps --no-index \
  --no-build-isolation -w dist/from-sdist "$sdist"
echo "offline wheel from the sdist: $(ls dist/from-sdist)"

# 3. each wheel, installed into a fresh venv, against the test suite, from outside the tree
tests=$root/tests
for whl in wheelhouse/*.whl; do
  tag=$(basename "$whl" | cut -d- -f3)          # cp310 ...
  v=
  for x in $PYTHONS; do [ "cp$(echo "${x%.*}" | tr -d .)" = "$tag" ] && v=$x; done
  venv=$work/test-$tag
  "$PYENV_ROOT/versions/$v/bin/python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q pip==26.3
  # the newest gymnasium and numpy (constraints/main.txt); torch, SB3 and Ray are left out
  "$venv/bin/python" -m pip install -q --only-binary :all: "$whl" pytest hypothesis opencv-python-headless \
    gymnasium==1.4.0 "numpy>=2.1"
  echo "== $(basename "$whl") ($(du -k "$whl" | cut -f1) KiB) in $venv, no compiler on PATH"
  (cd "$work" && PATH="$venv/bin:$nocc" "$venv/bin/python" -c \
    "import shutil, fastpool; assert not shutil.which('gcc') and not shutil.which('c++'); print('fastpool from', fastpool.__file__)" &&
    PATH="$venv/bin:$nocc" "$venv/bin/python" -m pytest -q -p no:cacheprovider "$tests" 2>&1 | tail -1)
done

# 4. an environment that already has gymnasium 1.4.0 and torch keeps them
whl=$(ls wheelhouse/fastpool-*-cp311-*.whl 2>/dev/null | head -1)
if [ -n "$whl" ]; then
  "$py311" -m venv "$work/user"
  "$work/user/bin/python" -m pip install -q pip==26.3
  "$work/user/bin/python" -m pip install -q gymnasium==1.4.0 torch==2.13.0
  before=$("$work/user/bin/python" -m pip freeze | grep -iE "^(gymnasium|torch|numpy)==")
  "$work/user/bin/python" -m pip install -q "$whl"
  after=$("$work/user/bin/python" -m pip freeze | grep -iE "^(gymnasium|torch|numpy)==")
  echo "== into a venv with $(echo $before): after installing fastpool: $(echo $after)"
  [ "$before" = "$after" ] || { echo "installing fastpool changed the user's packages" >&2; exit 1; }
  "$work/user/bin/python" -m pip check
fi
ls -l wheelhouse dist/from-sdist
