#!/usr/bin/env bash
# Installs ag's build and test dependencies from Debian 12's packages.
# Idempotent: packages already present are left alone, and apt is not touched at all when nothing is
# missing. Works as root or through sudo. Extra package names given as arguments are installed the
# same way (scripts/fuzz.sh asks for clang's fuzzing runtime so).
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libopenblas-openmp-dev  # BLAS on OpenMP threads: every matmul goes through cblas_sgemm / cblas_dgemm
  libfmt-dev        # printing and error messages
  catch2            # the test suite (Catch2 2.13)
  zlib1g-dev        # reading gzip-compressed corpora
  libsentencepiece-dev sentencepiece  # subword tokenizers
  nlohmann-json3-dev  # safetensors headers, JSON metrics and fixtures
  libcli11-dev      # command-line flags of the examples
  openmpi-bin libopenmpi-dev  # ag_distributed: mpirun and MPI's collectives (data-parallel training)
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup.sh: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
echo "setup.sh: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
