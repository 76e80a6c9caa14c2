#!/usr/bin/env bash
# Cross-compile the engine, the classic-control envs and Atari (with ALE) for Windows x86-64
# with mingw-w64, run the native engine test under wine, and compare its trajectory hashes
# with the same test built for Linux. Installs its Debian packages if missing (as root, with
# apt-get): g++-mingw-w64-x86-64-posix libz-mingw-w64-dev wine wine64.
#
# Pendulum's trajectories go through the C library's sin, cos and pow, which round differently
# on glibc and on mingw-w64's runtime in rare near-halfway cases (docs/behaviour.md). Its hash
# may differ; the script then passes only if cpp/tests/pendulum_libm_probe.cc, built both
# ways, shows that the two builds agree on every Pendulum call up to each trajectory's first
# C-library difference, and that every such difference is 1 ULP. Every other hash must agree.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS

packages=(g++-mingw-w64-x86-64-posix libz-mingw-w64-dev wine wine64)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if ! command -v apt-get >/dev/null; then
    echo "scripts/windows.sh: needs the Debian packages ${missing[*]}, and apt-get is not available here" >&2
    exit 1
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "scripts/windows.sh: needs the Debian packages ${missing[*]}: run 'sudo apt-get install -y ${missing[*]}' or run this script as root" >&2
    exit 1
  fi
  echo "== apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
    echo "scripts/windows.sh: apt-get could not install ${missing[*]} (see above)" >&2
    exit 1
  fi
fi

VENV=${VENV:-.venv}
# A venv with ale-py (the ROM, and pip to fetch ALE's sources): scripts/test.sh's, if it has one.
if ! "$VENV/bin/python" -c "import ale_py" 2>/dev/null; then
  VENV=$VENV scripts/setup.sh >/dev/null
fi
ale_version=0.12.1
deps=build/ale-src
if [ ! -f "$deps/ale_py-$ale_version/CMakeLists.txt" ]; then
  "$VENV/bin/python" -m pip install -q scikit-build-core cmake  # ale-py's metadata needs them
  "$VENV/bin/python" -m pip download -q --no-deps --no-binary ale-py --no-build-isolation -d "$deps" "ale-py==$ale_version"
  tar -xzf "$deps/ale_py-$ale_version.tar.gz" -C "$deps"
fi
export FASTPOOL_ALE_SOURCE_DIR=$PWD/$deps/ale_py-$ale_version
rom=$("$VENV/bin/python" -c "from ale_py import roms; print(roms.get_rom_path('breakout'))")
common=(-G Ninja -DCMAKE_BUILD_TYPE=Release -DFASTPOOL_BUILD_PYTHON=OFF -DFASTPOOL_BUILD_TESTS=ON)

cmake -S . -B build/linux-test "${common[@]}" >/dev/null
cmake --build build/linux-test --target engine_test
cmake -S . -B build/windows "${common[@]}" -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake >/dev/null
cmake --build build/windows --target engine_test
# The C-library probe: Pendulum's own step code, compiled as the engine is (no FMA contraction).
probe_src=(cpp/tests/pendulum_libm_probe.cc cpp/fastpool/core/random.cc cpp/fastpool/envs/classic_control/pendulum.cc)
g++ -std=c++17 -O2 -ffp-contract=off -Icpp "${probe_src[@]}" -o build/linux-test/pendulum_libm_probe -pthread
x86_64-w64-mingw32-g++-posix -std=c++17 -O2 -ffp-contract=off -static -Icpp "${probe_src[@]}" -o build/windows/pendulum_libm_probe.exe

echo "== Linux"
build/linux-test/engine_test "$rom" | tee build/linux-test/out.txt
echo "== Windows (wine)"
# One wine server for every run below: a client that starts while the last one's server is
# shutting down can fail with "recvmsg: Connection reset by peer".
wineserver -p 2>/dev/null || true
trap 'wineserver -k 2>/dev/null || true' EXIT
export WINEDEBUG=-all
wine build/windows/engine_test.exe "$rom" | tr -d '\r' | tee build/windows/out.txt
grep '^hash' build/linux-test/out.txt | grep -v '^hash Pendulum ' > build/linux-test/hashes.txt
grep '^hash' build/windows/out.txt | grep -v '^hash Pendulum ' > build/windows/hashes.txt
if ! diff build/linux-test/hashes.txt build/windows/hashes.txt; then
  echo "Linux and Windows builds DIFFER" >&2
  exit 1
fi

echo "== Pendulum's C-library calls: Linux build vs Windows build"
build/linux-test/pendulum_libm_probe > build/linux-test/probe.txt
wine build/windows/pendulum_libm_probe.exe | tr -d '\r' > build/windows/probe.txt
wine build/windows/pendulum_libm_probe.exe --eval < build/linux-test/probe.txt | tr -d '\r' > build/windows/probe-eval.txt
"$VENV/bin/python" - build/linux-test/probe.txt build/windows/probe.txt build/windows/probe-eval.txt <<'PY'
import struct, sys
from fractions import Fraction

def ordered(h):  # IEEE bits as an integer that counts ULPs
    b, n = int(h, 16), 4 * len(h)
    return b if not b >> (n - 1) else -(b & ((1 << (n - 1)) - 1))

def value(h):
    return struct.unpack(">f" if len(h) == 8 else ">d", bytes.fromhex(h))[0]

def lines(path):
    return [line.split() for line in open(path) if line.strip()]

linux, windows, windows_eval = (lines(p) for p in sys.argv[1:4])
# 1. The same inputs through both C libraries.
ok, stats, worst = True, {}, 0
for (call, x, r_lin), (call2, x2, r_win) in zip(linux, windows_eval, strict=True):
    assert (call, x) == (call2, x2)
    if call == "env":
        continue
    total, differ = stats.setdefault(call, [set(), set()])
    total.add(x)
    if r_lin != r_win and x not in differ:
        differ.add(x)
        ulp = abs(ordered(r_lin) - ordered(r_win))
        worst = max(worst, ulp)
        note = ""
        if call.startswith("pow"):  # x**2 exactly: which result is the correctly rounded one
            e = Fraction(value(x)) ** 2
            lin_nearer = abs(Fraction(value(r_lin)) - e) < abs(Fraction(value(r_win)) - e)
            note = ", x*x rounded correctly is " + ("Linux's" if lin_nearer else "Windows'")
        print(f"  {call:16} x={value(x)!r:22} Linux {r_lin}  Windows {r_win}  ({ulp} ULP{note})")
for call, (total, differ) in sorted(stats.items()):
    print(f"  {call:16} {len(total):5} distinct inputs, {len(differ)} rounded differently")
if worst > 1:
    print(f"a C-library result differs by {worst} ULP (more than 1)", file=sys.stderr)
    ok = False
# 2. The Windows build's own trajectories: the same calls on the same inputs up to each
# trajectory's first C-library difference (the state then moves apart, as it must).
env, diverged, checked, calls = 0, False, 0, sum(line[0] != "env" for line in linux)
for (call, x, r_lin), (call2, x2, r_win) in zip(linux, windows, strict=True):
    if call == "env":
        env, diverged = x, False
        continue
    if diverged:
        continue
    if (call, x) != (call2, x2):
        print(f"env {env}: the Windows build's Pendulum state differs before any C-library difference: {call} {x} vs {call2} {x2}", file=sys.stderr)
        ok = False
        diverged = True
    elif r_lin != r_win:
        diverged = True
    else:
        checked += 1
print(f"  the builds' own trajectories make the same {checked} calls (of {calls}) up to each one's first C-library difference")
sys.exit(0 if ok else 1)
PY
if diff <(grep '^hash Pendulum ' build/linux-test/out.txt) <(grep '^hash Pendulum ' build/windows/out.txt) >/dev/null; then
  echo "Linux and Windows builds agree (all hashes), in $((SECONDS - start)) s"
else
  echo "Linux and Windows builds agree (all hashes but Pendulum's, which differ only by the C libraries' rounding, as above), in $((SECONDS - start)) s"
fi
