#!/usr/bin/env bash
# Byte identity across MPI rank counts: `ttt mc` (several estimators, block counts that do and do not divide
# evenly, more ranks than blocks) and the eta_sweep simulation's result files, without MPI and under
# mpirun -np 1, 2, 4 (oversubscribed, loopback transports only). Exit 77 (skip) without mpirun or MPI.
#   run_mpi_identity.sh <ttt binary> <eta_sweep binary> <mpirun> <built with MPI: 0|1>
set -euo pipefail
ttt=$1 sweep=$2 mpirun=$3 built=$4

if [ "$built" != 1 ]; then echo "SKIP: this build has no MPI (install libopenmpi-dev and reconfigure)"; exit 77; fi
if ! command -v "$mpirun" > /dev/null 2>&1; then echo "SKIP: $mpirun not found (install openmpi-bin)"; exit 77; fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ttt-mpi.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

launch=("$mpirun" --oversubscribe --bind-to none --mca btl self,vader --mca pml ob1)
[ "$(id -u)" -eq 0 ] && launch+=(--allow-run-as-root)
# No MPI environment leaks into the reference runs.
unset OMPI_COMM_WORLD_SIZE PMI_SIZE PMI_RANK PMIX_RANK MPI_LOCALNRANKS TTT_MPI || true

fail=0
check() {  # check <label> <file a> <file b>
  if cmp -s "$2" "$3"; then
    echo "same bytes: $1"
  else
    echo "DIFFERENT: $1"; diff "$2" "$3" | head -20; fail=1
  fi
}

cases=(
  "--d 24 --n 20 --m 12 --init pretrained --eta-star --trials 3000 --seed 7 --estimator brute --block-size 64"
  "--d 40 --n 40 --m 40 --init zero --eta 0.5 --trials 20011 --seed 3 --estimator reduced --block-size 256"
  "--d 16 --n 30 --m 8 --init zero --sigma2 0.25 --eta 0.3 --trials 100 --seed 1 --estimator conditional --block-size 64"
)
i=0
for c in "${cases[@]}"; do
  i=$((i + 1))
  # shellcheck disable=SC2086
  "$ttt" mc $c --json > "$tmp/ref$i.json"
  for np in 1 2 4; do
    # shellcheck disable=SC2086
    if ! "${launch[@]}" -np "$np" "$ttt" mc $c --json --threads 1 > "$tmp/np$np-$i.json" 2> "$tmp/np$np-$i.err"; then
      cat "$tmp/np$np-$i.err"; echo "FAILED: mpirun -np $np ttt mc $c"; exit 1
    fi
    check "ttt mc case $i, $np rank(s) vs no MPI" "$tmp/ref$i.json" "$tmp/np$np-$i.json"
  done
  [ "$(wc -l < "$tmp/np4-$i.json")" -eq 1 ] || { echo "FAILED: more than one rank printed"; fail=1; }
done
cat "$tmp/ref1.json"

# A simulation program: only rank 0 writes, and the result files have the same bytes.
"$sweep" --out "$tmp/sweep-ref" --threads 1 2> /dev/null
"${launch[@]}" -np 2 "$sweep" --out "$tmp/sweep-np2" --threads 1 2> "$tmp/sweep.err" || { cat "$tmp/sweep.err"; exit 1; }
for f in "$tmp"/sweep-ref/*; do
  b=$(basename "$f")
  [ "$b" = manifest.json ] && continue
  check "eta_sweep $b, 2 ranks vs no MPI" "$f" "$tmp/sweep-np2/$b"
done
grep -q '"mpi_ranks": 2' "$tmp/sweep-np2/manifest.json" || { echo "FAILED: manifest lacks mpi_ranks 2"; fail=1; }
[ -z "$(find "$tmp" -name '.tmp.*')" ] || { echo "FAILED: temporary files left"; fail=1; }

exit "$fail"
