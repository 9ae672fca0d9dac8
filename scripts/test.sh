#!/usr/bin/env bash
# Installs missing dependencies, builds the release preset and runs every test that is not [slow].
# Exit status: ctest's. Slow checks: scripts/test-slow.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh release
ctest --preset release -j "${TTT_JOBS:-$(nproc)}"
