#!/usr/bin/env bash
# Ctrl-C under mpirun, as a user presses it: SIGINT to mpirun alone (it starts the ranks in process
# groups of their own, so the terminal's signal never reaches them). Open MPI then sends each rank
# SIGCONT, SIGTERM and SIGKILL, KILL_TIMEOUT seconds apart; the ranks must take the first as the stop,
# finish their step and save one checkpoint before SIGTERM would even arrive. The run validates (and
# so saves) only at the end, so the checkpoint can only come from the Ctrl-C. What the ranks print
# after Ctrl-C may not reach the log (mpirun stops forwarding output), so the files are the evidence,
# and a resume in one process reads the checkpoint back.
#
#   ctrl_c.sh MPIRUN SEQ2SEQ WORK_DIR
set -euo pipefail
mpirun=$1 seq2seq=$2 work=$3
readonly KILL_TIMEOUT=10 # seconds between mpirun's signals
readonly SAVE_DEADLINE=7 # seconds after Ctrl-C by which the checkpoint must be there (< KILL_TIMEOUT)

rm -rf "$work" && mkdir -p "$work"
log=$work/log run=$work/run
set -m  # a background job of a script ignores SIGINT unless job control is on
"$mpirun" --allow-run-as-root --oversubscribe --mca odls_base_sigkill_timeout $KILL_TIMEOUT -np 2 \
  "$seq2seq" train --out "$run" --task copy --task-train 2000 --d-model 32 --ff 64 --encoder-layers 1 \
  --decoder-layers 1 --heads 2 --max-steps 1000000 --eval-every 1000000 --threads 1 >"$log" 2>&1 &
job=$!
set +m

fail() {
  echo "ctrl_c.sh: $1; the log:" >&2
  cat "$log" >&2
  kill -KILL $job 2>/dev/null || true
  exit 1
}
wait_until() {  # wait_until SECONDS COMMAND...: until COMMAND succeeds, or fail
  local seconds=$1
  shift
  for ((i = 0; i < seconds * 10; i++)); do
    "$@" && return 0
    sleep 0.1
  done
  fail "no '$*' within $seconds s"
}

wait_until 120 grep -q "epoch 1 | step" "$log"
[[ ! -e $run/checkpoint.safetensors ]] || fail "a checkpoint before Ctrl-C"
kill -INT $job
wait_until $SAVE_DEADLINE test -s "$run/checkpoint.safetensors"
wait $job || true  # mpirun's own status after Ctrl-C is 1 whatever the ranks did; it returns after 2 timeouts
resumed=$("$seq2seq" train --resume "$run" --max-time 1 --threads 1 2>&1) || fail "the resume failed: $resumed"
grep -q "resumed at step" <<<"$resumed" || fail "the resume said: $resumed"
echo "ctrl_c.sh: Ctrl-C to mpirun saved a checkpoint; $(grep -o 'resumed at step [0-9]*' <<<"$resumed")"
