#!/usr/bin/env bash
# Installs missing dependencies, builds the release preset and runs every test that is not [slow]; then
# builds the unit tests with AddressSanitizer + UndefinedBehaviorSanitizer (the asan preset) and runs the
# fast ones again. Exit status: non-zero when either ctest run fails.
# TTT_SKIP_ASAN=1 skips the sanitizer stage. Slow checks: scripts/test-slow.sh.
set -uo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh || exit $?
./scripts/build.sh release || exit $?
jobs=${TTT_JOBS:-$(nproc)}
ctest --preset release -j "$jobs"
status=$?
if [ "${TTT_SKIP_ASAN:-0}" != 1 ]; then
  echo "test.sh: sanitizer stage (asan preset)" >&2
  if ./scripts/build.sh asan --target ttt_unit_tests; then
    ctest --preset asan -j "$jobs"
    s=$?
  else
    s=1
  fi
  [ $status -eq 0 ] && status=$s
fi
exit $status
