#!/usr/bin/env bash
# Builds ag's libFuzzer targets (tests/fuzz/fuzz_*.cpp) with clang, ASan and UBSan in build-fuzz/,
# then runs each for a time budget over a working copy of its committed seed corpus.
#
#   scripts/fuzz.sh                 # every target, 60 s each
#   scripts/fuzz.sh 30              # every target, 30 s each (what CI runs)
#   scripts/fuzz.sh 3600            # every target, an hour each
#   scripts/fuzz.sh 600 safetensors # one target
#   FUZZ_RUNS=1000000 scripts/fuzz.sh 0 csv   # one target until a million inputs (0: no time limit)
#
# Inputs the fuzzer finds interesting go to build-fuzz/corpus/<target>/ (kept between runs, never
# committed automatically); a crash leaves build-fuzz/crash-<target>-* and exits non-zero. See
# docs/fuzzing.md for long runs and for turning a finding into a regression test.
# Installs clang's fuzzing runtime with the build dependencies through scripts/setup.sh.
set -euo pipefail

budget=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(safetensors text tokenizers sentencepiece csv labelled_text checkpoint)
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-fuzz"

"$root/scripts/setup.sh" clang-14 libclang-rt-14-dev lld-14 libomp-14-dev

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# -O1, as libFuzzer's own documentation builds: the heaviest files compile a fifth faster than at
# -O2 (examples/gpt/train.cpp: 21 s of CPU against 26 s) and the targets still run thousands of
# inputs a second; AG_FUZZ adds line tables so that a finding's stack names its lines.
cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -DNDEBUG" -DAG_FUZZ=ON -DAG_BUILD_TESTS=OFF "${launcher[@]}" >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}"

# UBSan findings abort (the build has -fno-sanitize-recover); ASan also reports leaks at exit.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export OMP_NUM_THREADS=1
# The targets write each input to a scratch file; on tmpfs that (and save's fsync) costs nothing.
[ -w /dev/shm ] && export TMPDIR=${TMPDIR:-/dev/shm}
# The longest input each target is given: room for what its format can hold (a safetensors header
# and its tensors, a small model's checkpoint, a SentencePiece model of a few hundred pieces, a mail
# with its MIME parts), but no more, since every reader is linear and a longer input only costs time (libFuzzer grows lengths
# slowly up to the limit; see docs/fuzzing.md).
max_len() {
  case $1 in
    safetensors|text|checkpoint) echo 65536 ;;
    *) echo 16384 ;;
  esac
}
runs=()
[ -n "${FUZZ_RUNS:-}" ] && runs=(-runs="$FUZZ_RUNS")
# An input still running after this many seconds of wall-clock time is reported as a hang. Under
# `nice -n 19` on a busy machine the fuzzer may get no CPU for longer than that: give such runs a
# longer FUZZ_TIMEOUT, and replay any timeout-* file alone before believing it.
timeout=${FUZZ_TIMEOUT:-10}
status=0
for target in "${targets[@]}"; do
  corpus="$build/corpus/$target"
  mkdir -p "$corpus"
  echo "fuzz.sh: fuzz_$target for ${budget}s${FUZZ_RUNS:+ or $FUZZ_RUNS inputs} over tests/fuzz/$target/ (+ $corpus)"
  # New inputs go into the first directory; the committed seeds are read, never written.
  if ! (cd "$build" && "./tests/fuzz/fuzz_$target" "$corpus" "$root/tests/fuzz/$target" "${runs[@]}" \
        -max_total_time="$budget" -max_len="$(max_len "$target")" -timeout="$timeout" -rss_limit_mb=4096 \
        -artifact_prefix="$build/crash-$target-" -print_final_stats=1 2>&1 | tail -n 25); then
    status=1
  fi
done
exit $status
