#!/usr/bin/env bash
# Build fastpool with a sanitizer and run the core test suite under it (Linux, GCC or Clang).
#   scripts/sanitize.sh asan    # AddressSanitizer + UndefinedBehaviorSanitizer
#   scripts/sanitize.sh tsan    # ThreadSanitizer
# Extra arguments go to pytest. Each kind gets its own virtual environment and build folder.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:?usage: scripts/sanitize.sh asan|tsan [pytest args]}
shift
case "$kind" in
  asan) sanitize=address; runtime=libasan.so
        export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1  # CPython itself "leaks" at exit
        export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ;;
  tsan) sanitize=thread; runtime=libtsan.so
        export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 ;;
  *) echo "unknown sanitizer '$kind': use asan or tsan" >&2; exit 2 ;;
esac
venv=.venv-$kind
PYTHON=${PYTHON:-python3}
[ -x "$venv/bin/python" ] || "$PYTHON" -m venv "$venv"
"$venv/bin/python" -m pip install -q pip==26.3
PIP_CONSTRAINT="$PWD/constraints/main.txt $PWD/constraints/build.txt" "$venv/bin/python" -m pip install -q \
  --config-settings=cmake.define.FASTPOOL_SANITIZE=$sanitize \
  --config-settings=build-dir=build/$kind --config-settings=cmake.build-type=RelWithDebInfo \
  ".[sanitize]"
# libstdc++ too: the sanitizer intercepts __cxa_throw and must find the real one at start-up.
preload="$("${CXX:-g++}" -print-file-name=$runtime) $("${CXX:-g++}" -print-file-name=libstdc++.so)"
# Every threaded path: sync and async stepping, resets, autoreset modes, errors in workers,
# close while busy, fork, Ctrl-C, interpreter exit, partial resets, sends split among threads;
# Atari included.
tests=(tests/test_cartpole.py tests/test_classic_control.py tests/test_seeding.py tests/test_vector_api.py tests/test_errors.py
       tests/test_faults.py tests/test_fuzz.py tests/conformance/test_gymnasium_vector.py
       tests/conformance/test_seeded_resets.py "tests/test_classic_control_batched.py::test_sends_of_every_env_split_among_threads_step_as_one_thread_does"
       "tests/test_atari.py::test_same_seed_same_trajectories_any_thread_count_and_async"
       "tests/test_atari.py::test_same_step_autoreset_keeps_the_final_frame" "tests/test_atari.py::test_render_returns_the_rgb_screen")
# --capture=sys: a sanitizer report goes to file descriptor 2 and must reach the log, not
# pytest's captured output of a process that aborts.
FASTPOOL_SANITIZER=$kind LD_PRELOAD="$preload" "$venv/bin/python" -m pytest -q -p no:cacheprovider --capture=sys \
  "${tests[@]}" "$@"
