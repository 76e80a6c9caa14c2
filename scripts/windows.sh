#!/usr/bin/env bash
# Cross-compile the engine, CartPole and Atari (with ALE) for Windows x86-64 with mingw-w64,
# run the native engine test under wine, and compare its trajectory hashes with the same test
# built for Linux. Needs (Debian): g++-mingw-w64-x86-64-posix libz-mingw-w64-dev wine64.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null  # .venv with ale-py: the ROM, and pip to fetch ALE's sources
ale_version=0.12.1
deps=build/ale-src
if [ ! -f "$deps/ale_py-$ale_version/CMakeLists.txt" ]; then
  .venv/bin/python -m pip install -q scikit-build-core cmake  # ale-py's metadata needs them
  .venv/bin/python -m pip download -q --no-deps --no-binary ale-py --no-build-isolation -d "$deps" "ale-py==$ale_version"
  tar -xzf "$deps/ale_py-$ale_version.tar.gz" -C "$deps"
fi
export FASTPOOL_ALE_SOURCE_DIR=$PWD/$deps/ale_py-$ale_version
rom=$(.venv/bin/python -c "from ale_py import roms; print(roms.get_rom_path('breakout'))")
common=(-G Ninja -DCMAKE_BUILD_TYPE=Release -DFASTPOOL_BUILD_PYTHON=OFF -DFASTPOOL_BUILD_TESTS=ON)

cmake -S . -B build/linux-test "${common[@]}" >/dev/null
cmake --build build/linux-test --target engine_test
cmake -S . -B build/windows "${common[@]}" -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake >/dev/null
cmake --build build/windows --target engine_test

echo "== Linux"
build/linux-test/engine_test "$rom" | tee build/linux-test/out.txt
echo "== Windows (wine)"
WINEDEBUG=-all wine build/windows/engine_test.exe "$rom" | tr -d '\r' | tee build/windows/out.txt
if diff <(grep '^hash' build/linux-test/out.txt) <(grep '^hash' build/windows/out.txt); then
  echo "Linux and Windows builds agree"
else
  echo "Linux and Windows builds DIFFER" >&2
  exit 1
fi
