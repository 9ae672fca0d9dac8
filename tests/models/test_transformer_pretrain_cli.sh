#!/bin/bash
# `ttt pretrain` end to end on a tiny configuration: a run stopped and resumed gives the same bytes as a
# straight run, 1 and 2 threads give the same bytes, and bad input exits 2 with one line on stderr.
# Usage: test_transformer_pretrain_cli.sh <ttt binary> <scratch directory>
set -u
ttt=$1
dir=$2
rm -rf "$dir" && mkdir -p "$dir"
fail() { echo "FAIL: $*"; exit 1; }
base="--task linreg --batch 8 --steps 12 --eval-prompts 16 --seed 3 --checkpoint-every 4"
tiny="--d 3 --n 5 --width 8 --heads 2 --layers 1"

"$ttt" pretrain $base $tiny --threads 1 --out "$dir/a" --json > "$dir/a.json" 2> /dev/null || fail "straight run"
"$ttt" pretrain $base $tiny --threads 1 --out "$dir/b" --stop-after 5 2> /dev/null || fail "stopped run"
"$ttt" pretrain $base $tiny --threads 1 --out "$dir/b" --resume --json > "$dir/b.json" 2> /dev/null || fail "resumed run"
cmp -s "$dir/a/model.bin" "$dir/b/model.bin" || fail "resumed parameters differ from the straight run's"
cmp -s "$dir/a/loss.csv" "$dir/b/loss.csv" || fail "resumed loss curve differs from the straight run's"
"$ttt" pretrain $base $tiny --threads 2 --out "$dir/c" > /dev/null 2>&1 || fail "2 threads"
cmp -s "$dir/a/model.bin" "$dir/c/model.bin" || fail "2 threads differ from 1"
grep -q '"final_loss"' "$dir/a.json" && grep -q '"ms_per_step"' "$dir/a.json" && grep -q '"steps":12' "$dir/a.json" \
  || fail "JSON fields: $(cat "$dir/a.json")"
[ "$(wc -l < "$dir/a/loss.csv")" -eq 13 ] || fail "loss.csv should have a header and 12 rows"

expect_usage_error() {
  "$ttt" pretrain "$@" 2> "$dir/err" > /dev/null
  local rc=$?
  [ $rc -eq 2 ] || fail "'$*' exited $rc (want 2): $(cat "$dir/err")"
  [ "$(wc -l < "$dir/err")" -eq 1 ] || fail "'$*' printed more than one line on stderr"
}
expect_usage_error $base --d 0 --n 5 --out "$dir/x"
expect_usage_error $base --d 3 --n 5 --width 10 --heads 4 --out "$dir/x"
expect_usage_error $base $tiny --lr nan --out "$dir/x"
expect_usage_error $base $tiny --sigma2 -1 --out "$dir/x"
expect_usage_error $base $tiny --dtype float16 --out "$dir/x"
expect_usage_error $base $tiny --bogus 1 --out "$dir/x"
expect_usage_error $base $tiny --out /proc/no_such_dir/x
expect_usage_error $base $tiny --out "$dir/fresh" --resume
expect_usage_error $base --d 4 --n 5 --width 8 --heads 2 --layers 1 --out "$dir/a" --resume
head -c 100 "$dir/b/checkpoint.bin" > "$dir/b/trunc" && mv "$dir/b/trunc" "$dir/b/checkpoint.bin"
expect_usage_error $base $tiny --out "$dir/b" --resume
echo "ok"
