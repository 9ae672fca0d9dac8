#!/usr/bin/env bash
# The [slow] checks (larger Monte Carlo runs), kept out of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh release
ctest --test-dir build/release -L slow --output-on-failure -j "${TTT_JOBS:-$(nproc)}"
