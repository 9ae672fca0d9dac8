#!/usr/bin/env bash
# Reproduces every experiment's figures and results/REPORT.md.
#   scripts/reproduce.sh [--only GROUP] [--full] [--threads N]
# GROUP: theory (the TTT theory's figures), softmax (trained softmax transformers), or a later suite's name; default: every group that exists.
# Quick mode by default; --full runs larger d and more trials. Progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

only="" full="" threads=""
while [ $# -gt 0 ]; do
  case "$1" in
    --only) [ $# -ge 2 ] || { echo "reproduce.sh: --only needs a group" >&2; exit 2; }; only=$2; shift 2 ;;
    --full) full="--full"; shift ;;
    --threads) [ $# -ge 2 ] || { echo "reproduce.sh: --threads needs a number" >&2; exit 2; }; threads="--threads $2"; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "reproduce.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

declare -A GROUP=(
  [theory]="theory_tables fig1a_optimal_step fig1b_warm_cold fig2ab_alignment fig2c_multi_step eta_sweep convergence"
  [softmax]="fig3b_pretrained_vs_scratch"
)
ORDER="theory softmax"
if [ -n "$only" ] && [ -z "${GROUP[$only]+x}" ]; then
  echo "reproduce.sh: unknown group '$only' (groups: $ORDER)" >&2; exit 2
fi

./scripts/install-deps.sh --plots
./scripts/build.sh release
PY=$(command -v -p python3)
mkdir -p results

start=$(date +%s)
for g in $ORDER; do
  [ -n "$only" ] && [ "$g" != "$only" ] && continue
  for sim in ${GROUP[$g]}; do
    echo "== $sim" >&2
    t0=$(date +%s)
    # shellcheck disable=SC2086
    "build/release/bin/$sim" --out "results/$sim" --progress $full $threads
    if [ -f "plots/$sim.py" ]; then "$PY" "plots/$sim.py" --dir "results/$sim"; fi
    echo "== $sim done in $(( $(date +%s) - t0 )) s" >&2
  done
done
"$PY" scripts/make_report.py --results results
echo "reproduce.sh: results/REPORT.md and figures written in $(( $(date +%s) - start )) s" >&2
