#!/usr/bin/env bash
# Submits a sweep: an array with one task per config of CONFIG_DIR (sweep.sbatch), then the
# summary (sweep.sbatch without an array) with --dependency=afterany on the whole array.
#
#   scripts/slurm/submit_sweep.sh CONFIG_DIR [-- extra sbatch options for the array]
#
# The number of tasks is the number of configs `trainscape sweep CONFIG_DIR --count` reports
# (TRAINSCAPE: the binary, default trainscape on PATH, else build/trainscape); if that fails, the
# number of CONFIG_DIR/*.yaml files. Prints the two job ids.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if [ $# -lt 1 ]; then
  echo "usage: $0 CONFIG_DIR [-- sbatch options for the array]" >&2
  exit 2
fi
config_dir="$1"
shift
[ $# -gt 0 ] && [ "$1" = "--" ] && shift
trainscape="${TRAINSCAPE:-$(command -v trainscape || echo build/trainscape)}"
if ! count="$("$trainscape" sweep "$config_dir" --count 2>/dev/null)"; then
  count="$(find "$config_dir" -maxdepth 1 -name '*.yaml' | wc -l)"
  echo "$0: '$trainscape sweep --count' failed; counted $count *.yaml files in $config_dir" >&2
fi
if ! [[ "$count" =~ ^[1-9][0-9]*$ ]]; then
  echo "$0: $trainscape sweep $config_dir --count gave '$count'" >&2
  exit 1
fi
array="$(sbatch --parsable --array="0-$((count - 1))" "$@" "$here/sweep.sbatch" "$config_dir")"
array="${array%%;*}"
summary="$(sbatch --parsable --dependency="afterany:$array" --output=trainscape-sweep-summary-%j.out \
            "$here/sweep.sbatch" "$config_dir")"
summary="${summary%%;*}"
echo "sweep:   job $array (array 0-$((count - 1)), one task per config)"
echo "summary: job $summary (after every task)"
