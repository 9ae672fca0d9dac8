#!/usr/bin/env bash
# Installs the project's build and run dependencies from Debian's packages, only those missing.
# Idempotent; runs apt-get through sudo when not root. Usage: scripts/install-deps.sh [--plots] [--bench]
#   --plots   also matplotlib and numpy for Debian's python3 (reproduce.sh)
#   --bench   also what the benchmarks' peers need
set -euo pipefail

want=(cmake g++ make pkg-config libeigen3-dev libboost-math-dev catch2 libcli11-dev nlohmann-json3-dev
      librandom123-dev
      libopenmpi-dev openmpi-bin                                            # MPI runs (optional in CMake)
      python3 python3-dev pybind11-dev python3-pybind11 python3-numpy python3-pytest)  # the Python module
for arg in "$@"; do
  case "$arg" in
    --plots) want+=(python3 python3-matplotlib python3-numpy) ;;
    --bench) want+=(python3 python3-numpy) ;;
    *) echo "install-deps.sh: unknown option '$arg'" >&2; exit 2 ;;
  esac
done

# Thrust: the CCCL of the CUDA toolkit when present, else Debian's libthrust-dev.
have_cccl=0
for root in "${CUDA_PATH:-}" "${CUDA_HOME:-}" /usr/local/cuda; do
  if [ -n "$root" ] && [ -f "$root/lib64/cmake/thrust/thrust-config.cmake" ]; then have_cccl=1; fi
done
if command -v nvcc >/dev/null 2>&1; then
  root=$(dirname "$(dirname "$(command -v nvcc)")")
  [ -f "$root/lib64/cmake/thrust/thrust-config.cmake" ] && have_cccl=1
fi
[ "$have_cccl" = 1 ] || want+=(libthrust-dev)

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "install-deps.sh: missing packages (${missing[*]}) and neither root nor sudo available" >&2
  exit 2
fi
echo "install-deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
