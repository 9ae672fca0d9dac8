#!/usr/bin/env bash
# Configures (once) and builds a preset: scripts/build.sh [release|debug|asan] [cmake --build options...]
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}; shift || true
if [ ! -f "build/$preset/CMakeCache.txt" ]; then
  cmake --preset "$preset" >/dev/null
fi
jobs=${TTT_JOBS:-$(nproc)}
cmake --build --preset "$preset" -j "$jobs" "$@"
# build/bin is the release binaries' short path used in the docs.
if [ "$preset" = release ]; then ln -sfn release/bin build/bin; fi
