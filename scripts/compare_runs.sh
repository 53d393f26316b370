#!/usr/bin/env bash
# Compares two run directories made from the same config (e.g. before and after a change to the
# code): every dataset and attribute of run.h5 must be equal, except the root attributes that
# record where and with what build the run was made (config, which holds output.dir and
# runtime.*, and git_describe), and every frame PNG must be byte-identical.
# Usage: scripts/compare_runs.sh RUN_DIR_A RUN_DIR_B      (exit 0: same results, 1: different)
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: scripts/compare_runs.sh RUN_DIR_A RUN_DIR_B" >&2
  exit 2
fi
a=$1
b=$2
status=0
# h5diff exits 1 on any difference; list them and keep only the ones that matter.
differences=$(h5diff -c "$a/run.h5" "$b/run.h5" 2>&1 || true)
relevant=$(printf '%s\n' "$differences" | grep -E '^(attribute|dataset|group|Not comparable)' |
           grep -v -E '^attribute: <(config|git_describe) of </>>' |
           grep -v -E '^Not comparable: .* is an empty dataset$' || true)
if [ -n "$relevant" ]; then
  printf 'run.h5 differs:\n%s\n' "$relevant"
  status=1
fi
for png in "$a"/frame_*.png; do
  name=$(basename "$png")
  if ! cmp -s "$png" "$b/$name"; then
    echo "$name differs (or is missing in $b)"
    status=1
  fi
done
count_a=$(find "$a" -maxdepth 1 -name 'frame_*.png' | wc -l)
count_b=$(find "$b" -maxdepth 1 -name 'frame_*.png' | wc -l)
if [ "$count_a" != "$count_b" ]; then
  echo "frame PNG counts differ: $count_a in $a, $count_b in $b"
  status=1
fi
[ $status -eq 0 ] && echo "same results: run.h5 datasets and attributes (but config, git_describe) and $count_a PNGs"
exit $status
