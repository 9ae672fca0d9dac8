#!/usr/bin/env bash
# Builds the release preset's benchmarks and runs them beside the NumPy peers in one run: prints a table with
# ratios and writes bench/results/latest.json (machine, compiler, threads, date, every measurement).
# Usage: scripts/bench.sh [--quick] [--secs S] [--reps R]     (defaults: 1 s per measurement, median of 3)
# Takes about 10 minutes on 2 cores from a fresh clone (build included); --quick is a smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --bench
PY=$(command -v -p python3)   # Debian's python3 with Debian's numpy
"$PY" -c "import numpy" || { echo "bench.sh: $PY has no numpy (scripts/install-deps.sh --bench)" >&2; exit 2; }

cmake --preset release >/dev/null
cmake --build --preset release -j1 --target bench_mc
CXX_ID=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' build/release/CMakeCache.txt)
CXX_VERSION=$("$CXX_ID" --version | head -1)

mkdir -p bench/results
"$PY" bench/run_bench.py --bench-exe build/release/bench/bench_mc --python "$PY" \
  --compiler "$CXX_VERSION (-O3 Release, bench targets -march=native)" --out bench/results/latest.json "$@"
