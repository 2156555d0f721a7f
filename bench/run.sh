#!/usr/bin/env bash
# The benchmark, in one command: ag and PyTorch on the same workloads, in the same run, at 1 and 2
# threads, printed side by side.   bench/run.sh [--json FILE] [--quick] [--loaded]
# PyTorch (Debian's python3-torch) is installed here as a measuring stick only; ag never needs it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
if ! dpkg-query -W -f='${Status}' python3-torch 2>/dev/null | grep -q "install ok installed"; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-torch
fi
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DAG_BUILD_TESTS=OFF > /dev/null
cmake --build build-bench --target ag_bench -j"$(nproc)"
/usr/bin/python3 bench/compare.py --ag build-bench/bench/ag_bench "$@"
