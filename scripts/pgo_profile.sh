#!/usr/bin/env bash
# The profile for a profile-guided build (GCC): an instrumented fastpool, built for PYTHON in
# build/pgo-<wheel tag>, plays scripts/pgo_workload.py in a throwaway venv and leaves its
# profile in that build folder. A build of the same interpreter with
#   --config-settings=build-dir=build/pgo-{wheel_tag} --config-settings=cmake.define.FASTPOOL_PGO=use
# then reads it (the profile is keyed by object file paths, so both share the folder).
# Used by scripts/pgo.sh (.venv), scripts/wheels.sh and cibuildwheel (before-build, Linux).
# Usage: scripts/pgo_profile.sh [PYTHON]     (default: python3; PIP_CONSTRAINT is honoured)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
py=${1:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp=cp$("$py" -c 'import sys; print("%d%d" % sys.version_info[:2])')
rm -rf "$root"/build/pgo-"$cp"-*/pgo-profile  # a stale profile would mix two builds' counts
"$py" -m venv "$work/venv"
(cd "$root" && "$work/venv/bin/python" -m pip install -q --config-settings=build-dir="build/pgo-{wheel_tag}" \
  --config-settings=cmake.define.FASTPOOL_PGO=generate .)
(cd "$work" && "$work/venv/bin/python" "$root/scripts/pgo_workload.py")
ls -d "$root"/build/pgo-"$cp"-*/pgo-profile  # where the final build reads it
