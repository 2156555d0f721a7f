#!/bin/sh
# `PROGRAM train --resume` with flags, as a user types them: a tiny run is made with the flags after
# the first three arguments, then resumed with --layers 2 (refused: exit 1, a message naming the
# flag and its saved value, no file of the run changed), then resumed with LONGER ("--max-steps 6"),
# which must take effect: the run goes on and its report matches the pattern ENDS.
#   resume_flags.sh PROGRAM LONGER ENDS TINY-RUN-FLAGS...
program=$1 longer=$2 ends=$3
shift 3
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1
i=0
while [ $i -lt 60 ]; do echo "To be, or not to be, that is the question:"; i=$((i + 1)); done > text.txt
"$program" train --out run "$@" > first.log 2>&1 || { cat first.log; echo "FAIL: the first run failed"; exit 1; }
before=$(cksum run/*)
out=$("$program" train --resume run --layers 2 2>&1)
code=$?
echo "$out"
[ $code -eq 1 ] || { echo "FAIL: exit code $code, not 1"; exit 1; }
echo "$out" | grep -q -- "--layers was 1 in the saved run but 2 now" || { echo "FAIL: no message naming --layers"; exit 1; }
[ "$(cksum run/*)" = "$before" ] || { echo "FAIL: the refused resume changed the run directory"; exit 1; }
# shellcheck disable=SC2086 # LONGER is a flag and its value
out=$("$program" train --resume run $longer 2>&1) || { echo "$out"; echo "FAIL: resume with $longer failed"; exit 1; }
echo "$out"
echo "$out" | grep -q -- "$ends" || { echo "FAIL: the resumed run did not end as '$ends'"; exit 1; }
