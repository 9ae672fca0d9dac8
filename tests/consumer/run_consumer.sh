#!/usr/bin/env bash
# Install test: installs the built project into a temporary prefix, then builds tests/consumer/project
# against it twice, with CMake (find_package(ttt CONFIG)) and with pkg-config + the C++ compiler, and runs
# both programs. The consumer side runs with every directory holding nvcc removed from PATH: users of the
# installed headers need no CUDA compiler. The temporary directory is removed on exit.
#   run_consumer.sh <main build dir> <main source dir> <consumer project dir> <cmake> <c++ compiler> <pkg-config>
set -euo pipefail
build_dir=$1 source_dir=$2 project_dir=$3 cmake=$4 cxx=$5 pkg_config=$6

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ttt-consumer.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

step() { echo "== $*"; }
fail() { echo "FAILED: $*" >&2; exit 1; }

step "cmake --install $build_dir --prefix $prefix"
if ! "$cmake" --install "$build_dir" --prefix "$prefix" > "$tmp/install.log" 2>&1; then
  cat "$tmp/install.log" >&2
  fail "cmake --install failed (it needs every installed target built: cmake --build $build_dir)"
fi
[ -f "$prefix/include/ttt/ttt.hpp" ] || fail "headers not installed under $prefix/include"
config=$(find "$prefix" -name tttConfig.cmake -print -quit)
[ -n "$config" ] || fail "tttConfig.cmake not installed"
[ -f "$prefix/share/pkgconfig/ttt.pc" ] || fail "ttt.pc not installed under $prefix/share/pkgconfig"
# The installed package must not point back into the source tree.
if grep -rn --fixed-strings "$source_dir/include" "$(dirname "$config")" "$prefix/share/pkgconfig"; then
  fail "installed package files refer to the source tree"
fi

# PATH without nvcc for everything that follows (the tools above are called by absolute path).
clean_path=
IFS=: read -r -a dirs <<< "$PATH"
for d in "${dirs[@]}"; do
  [ -n "$d" ] && [ ! -x "$d/nvcc" ] && clean_path=${clean_path:+$clean_path:}$d
done
export PATH=$clean_path
unset CUDACXX CUDA_PATH CUDA_HOME || true
if command -v nvcc > /dev/null; then fail "nvcc still on PATH"; fi

step "CMake consumer: find_package(ttt CONFIG) with CMAKE_PREFIX_PATH=$prefix"
"$cmake" -S "$project_dir" -B "$tmp/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF > "$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log" >&2; fail "configure"; }
found=$(sed -n 's/^ttt_DIR:[A-Z]*=//p' "$tmp/cmake-build/CMakeCache.txt")
case "$found" in
  "$prefix"/*) echo "found $found" ;;
  *) fail "find_package(ttt) found '$found', not the package under $prefix" ;;
esac
"$cmake" --build "$tmp/cmake-build" -j1 > "$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; fail "build"; }
"$tmp/cmake-build/ttt_consumer" || fail "the CMake-built consumer"

step "pkg-config consumer: PKG_CONFIG_PATH=$prefix/share/pkgconfig"
export PKG_CONFIG_PATH=$prefix/share/pkgconfig
cflags=$("$pkg_config" --cflags ttt) || fail "pkg-config --cflags ttt"
libs=$("$pkg_config" --libs ttt) || fail "pkg-config --libs ttt"
echo "cflags: $cflags"
echo "libs:   $libs"
includedir=$("$pkg_config" --variable=includedir ttt)
[ "$(realpath "$includedir")" = "$(realpath "$prefix/include")" ] ||
  fail "pkg-config's includedir $includedir is not the install prefix's $prefix/include"
case " $cflags " in
  *" -I$includedir "*) ;;
  *) fail "pkg-config's cflags lack -I$includedir" ;;
esac
# shellcheck disable=SC2086  # the flags are words
"$cxx" $cflags "$project_dir/main.cpp" -o "$tmp/pc_consumer" $libs || fail "compile with pkg-config's flags"
"$tmp/pc_consumer" || fail "the pkg-config-built consumer"
echo "consumer test passed"
