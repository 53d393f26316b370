#!/usr/bin/env bash
# Submits a sharded zoom: an array of N shard tasks (zoom_shards.sbatch), then merge.sbatch with
# --dependency=afterok on the whole array, so the merge runs once, after every shard succeeded
# (if a shard fails, the merge is cancelled: --kill-on-invalid-dep).
#
#   scripts/slurm/submit_sharded.sh CONFIG [N] [-- extra sbatch options for the array]
#   scripts/slurm/submit_sharded.sh configs/paper_tanh.yaml 16 -- --cpus-per-task=4 --time=02:00:00
#
# N defaults to 4. Prints the two job ids. Extra trainscape zoom options for every shard go in
# TRAINSCAPE_ZOOM_ARGS (e.g. TRAINSCAPE_ZOOM_ARGS="--overwrite").
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if [ $# -lt 1 ]; then
  echo "usage: $0 CONFIG [N] [-- sbatch options for the array]" >&2
  exit 2
fi
config="$1"
shift
count=4
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
  count="$1"
  shift
fi
[ $# -gt 0 ] && [ "$1" = "--" ] && shift
if ! [[ "$count" =~ ^[1-9][0-9]*$ ]]; then
  echo "$0: N must be a positive integer (got '$count')" >&2
  exit 2
fi

# shellcheck disable=SC2086  # TRAINSCAPE_ZOOM_ARGS is a list of words
array="$(sbatch --parsable --array="0-$((count - 1))" "$@" "$here/zoom_shards.sbatch" "$config" ${TRAINSCAPE_ZOOM_ARGS:-})"
array="${array%%;*}"
merge="$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes "$here/merge.sbatch" "$config")"
merge="${merge%%;*}"
echo "shards: job $array (array 0-$((count - 1)))"
echo "merge:  job $merge (after every shard succeeded)"
