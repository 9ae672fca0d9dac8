#!/usr/bin/env bash
# Interrupted sweeps resume to the same bytes: a reference run; a run killed by SIGKILL after 7 runs
# (fault injection) then resumed; a run stopped by SIGTERM at the 12th run (which the sweep announces) then
# resumed. The CSV and JSON results of both resumed runs must equal the reference byte for byte, no final
# file may exist after an interruption, and no temporary file may be left.
# Usage: resume_test.sh <simulation binary> <work dir>
set -u
bin=$1; work=$2
name=$(basename "$bin")
rm -rf "$work"; mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }

"$bin" --out "$work/ref" 2>/dev/null || fail "reference run"

# 1. SIGKILL after 7 runs.
TTT_FAULT_AFTER_POINTS=7 "$bin" --out "$work/kill" 2>"$work/kill.err"; rc=$?
[ $rc -eq 137 ] || fail "fault-injected run exited $rc, expected 137 (SIGKILL)"
[ -z "$(ls "$work/kill" | grep -v '^\.' || true)" ] || fail "final files exist after SIGKILL: $(ls "$work/kill")"
n=$(ls "$work/kill/.points" | wc -l); [ "$n" -eq 7 ] || fail "expected 7 stored runs after SIGKILL, found $n"
"$bin" --out "$work/kill" --resume 2>/dev/null || fail "resume after SIGKILL"

# 2. SIGTERM at the 12th run.
TTT_WAIT_AFTER_POINTS=12 "$bin" --out "$work/term" 2>"$work/term.err" &
pid=$!
for _ in $(seq 600); do grep -q "waiting for a signal" "$work/term.err" 2>/dev/null && break; sleep 0.1; done
grep -q "waiting for a signal after 12 runs" "$work/term.err" || { kill -9 $pid; fail "the sweep never announced run 12"; }
kill -TERM $pid; wait $pid; rc=$?
[ $rc -eq 143 ] || fail "SIGTERM run exited $rc, expected 143"
grep -q "rerun with --resume" "$work/term.err" || fail "no resume hint on stderr"
[ -z "$(ls "$work/term" | grep -v '^\.' || true)" ] || fail "final files exist after SIGTERM"
"$bin" --out "$work/term" --resume 2>/dev/null || fail "resume after SIGTERM"

for run in kill term; do
  for f in "$work/ref"/*.csv "$work/ref/$name.json"; do
    cmp -s "$f" "$work/$run/$(basename "$f")" || fail "$run: $(basename "$f") differs from the uninterrupted run"
  done
  [ ! -e "$work/$run/.points" ] || fail "$run: point files left after completion"
  [ -z "$(find "$work/$run" -name '.tmp.*')" ] || fail "$run: temporary files left"
done
echo "PASS: $name resumed to identical bytes after SIGKILL (7 runs stored) and SIGTERM (12 runs stored)"
rm -rf "$work"
