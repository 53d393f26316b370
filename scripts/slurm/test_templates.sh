#!/usr/bin/env bash
# Runs the sbatch templates through a one-node Slurm cluster on this machine (local_cluster.sh)
# on tiny configs, and checks their results against a plain single-process run bit for bit
# (every dataset of run.h5 and every PNG byte):
#   zoom_mpi.sbatch, 2 ranks x 1 thread, with srun --mpi=pmix and with mpirun (target: auto);
#   submit_sharded.sh: 3 shard tasks, then the dependent merge (fixed target);
#   submit_sweep.sh: one task per config, then the summary (if `trainscape sweep` exists).
#
#   scripts/slurm/test_templates.sh [--keep] [--stop]
#
# Needs root and a built build/trainscape (TRAINSCAPE overrides). Starts the local cluster if it
# is not running (--stop stops it afterwards); --keep keeps the work directory. Exit 0: all
# passed; 1: a check failed; 77: skipped (no cluster could be started; the reason is printed).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
keep=0
stop_after=0
for a in "$@"; do
  case "$a" in
    --keep) keep=1 ;;
    --stop) stop_after=1 ;;
    *) echo "usage: $0 [--keep] [--stop]" >&2; exit 2 ;;
  esac
done

trainscape="${TRAINSCAPE:-$root/build/trainscape}"
export TRAINSCAPE="$trainscape"
if [ ! -x "$trainscape" ]; then
  echo "test_templates: $trainscape not found; build first (scripts/build.sh)" >&2
  exit 1
fi

if ! "$here/local_cluster.sh" start; then
  echo "test_templates: SKIPPED: the local Slurm cluster did not start (see above)" >&2
  exit 77
fi
eval "$("$here/local_cluster.sh" env)"
export SLURM_CONF
# Open MPI as root in a container (exported into the jobs: sbatch passes the environment on).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none

work="$(mktemp -d /tmp/trainscape_slurm_test_XXXXXX)"
cleanup() {
  cd /
  if [ $keep -eq 0 ]; then rm -rf "$work"; else echo "test_templates: kept $work" >&2; fi
  if [ $stop_after -eq 1 ]; then "$here/local_cluster.sh" stop || true; fi
}
trap cleanup EXIT
cd "$work"

failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
indent() { sed 's/^/  /'; }

tiny() {  # tiny TARGET [DIR]: a 24 x 24, 3-frame config writing to ./DIR (default run)
  cat <<EOF
model: {width: 4, depth: 2, nonlinearity: tanh}
training: {steps: 20}
phase_space: {x: [-2.0, 2.0], y: [-2.0, 2.0]}
render: {resolution: 24}
zoom: {frames: 3, factor: 2.0, target: $1}
output: {dir: ${2:-run}}
runtime: {threads: 1, tile: 8}
EOF
}
tiny auto > auto.yaml
tiny "[0.9, 0.85]" > fixed.yaml

# same_run A B: every dataset of A/run.h5 and B/run.h5 byte for byte, and every frame_*.png.
same_run() {
  local a="$1" b="$2" d list_a list_b
  if [ ! -s "$a/run.h5" ] || [ ! -s "$b/run.h5" ]; then echo "  missing run.h5 in $a or $b"; return 1; fi
  list_a="$(h5ls -r "$a/run.h5" | awk '$2 == "Dataset" { print $1 }')"
  list_b="$(h5ls -r "$b/run.h5" | awk '$2 == "Dataset" { print $1 }')"
  [ "$list_a" = "$list_b" ] || { echo "  different datasets"; return 1; }
  while read -r d; do
    h5dump -d "$d" -b NATIVE -o "$work/a.bin" "$a/run.h5" >/dev/null
    h5dump -d "$d" -b NATIVE -o "$work/b.bin" "$b/run.h5" >/dev/null
    cmp -s "$work/a.bin" "$work/b.bin" || { echo "  dataset $d differs"; return 1; }
  done <<< "$list_a"
  (cd "$a" && ls frame_*.png) > "$work/pngs_a" 2>/dev/null || true
  (cd "$b" && ls frame_*.png) > "$work/pngs_b" 2>/dev/null || true
  if [ ! -s "$work/pngs_a" ] || ! cmp -s "$work/pngs_a" "$work/pngs_b"; then echo "  different PNG sets"; return 1; fi
  while read -r d; do
    cmp -s "$a/$d" "$b/$d" || { echo "  $d differs"; return 1; }
  done < "$work/pngs_a"
}

# job_state ID: COMPLETED, FAILED, ... (slurmctld keeps finished jobs for MinJobAge seconds).
job_state() { scontrol show job -o "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | sort -u | tr '\n' ' '; }
wait_job() {  # wait_job ID [TIMEOUT_S]: waits until no task of the job is pending or running
  local id="$1" limit="${2:-300}" s
  for _ in $(seq "$((limit * 2))"); do
    s="$(job_state "$id")"
    case "$s" in *PENDING*|*RUNNING*|*CONFIGURING*|*COMPLETING*|"") sleep 0.5 ;; *) echo "$s"; return 0 ;; esac
  done
  echo "TIMEOUT"
}

# The single-process references, each in its own directory so that the stored config (which
# records output.dir and the thread count) is the same as in the runs compared with it.
for t in auto fixed; do
  mkdir -p "ref_$t"
  (cd "ref_$t" && "$trainscape" zoom "../$t.yaml" -q >/dev/null)
done

# 1. MPI: 2 ranks x 1 thread, both launchers.
for launcher in srun mpirun; do
  mkdir -p "mpi_$launcher"
  if (cd "mpi_$launcher" && TRAINSCAPE_LAUNCHER=$launcher sbatch --wait --quiet -N 1 --ntasks-per-node=2 \
        --cpus-per-task=1 --mem-per-cpu=200M --time=5 -o slurm.out "$here/zoom_mpi.sbatch" ../auto.yaml -q); then
    if same_run "ref_auto/run" "mpi_$launcher/run"; then
      pass "zoom_mpi.sbatch ($launcher, 2 ranks x 1 thread) = single process"
    else
      fail "zoom_mpi.sbatch ($launcher) differs from the single process"
    fi
  else
    fail "zoom_mpi.sbatch ($launcher) job failed:"; sed 's/^/  /' "mpi_$launcher/slurm.out" | tail -20
  fi
done

# 2. Shards: a 3-task array, then the merge after it.
mkdir -p shards
if out="$(cd shards && "$here/submit_sharded.sh" ../fixed.yaml 3 -- --mem-per-cpu=200M --time=5 \
            -o 'shard-%a.out')"; then
  printf '%s\n' "$out" | indent
  merge_id="$(echo "$out" | sed -n 's/^merge: *job \([0-9]*\).*/\1/p')"
  state="$(wait_job "$merge_id")"
  if [ "$state" = "COMPLETED " ] && same_run "ref_fixed/run" "shards/run"; then
    pass "submit_sharded.sh (3 shards + merge) = single process"
  else
    fail "submit_sharded.sh: merge job $merge_id ended '$state'"
    tail -n 5 shards/*.out 2>/dev/null | sed 's/^/  /'
  fi
else
  fail "submit_sharded.sh did not submit"
fi

# 3. Sweep, if this trainscape has one.
if "$trainscape" sweep --help >/dev/null 2>&1; then
  mkdir -p sweep/configs
  tiny auto run_a > sweep/configs/a.yaml
  tiny "[0.9, 0.85]" run_b > sweep/configs/b.yaml
  if out="$(cd sweep && "$here/submit_sweep.sh" configs -- --mem-per-cpu=200M --time=5 -o 'task-%a.out')"; then
    printf '%s\n' "$out" | indent
    summary_id="$(echo "$out" | sed -n 's/^summary: *job \([0-9]*\).*/\1/p')"
    state="$(wait_job "$summary_id")"
    if [ "$state" = "COMPLETED " ] && same_run ref_auto/run sweep/run_a && same_run ref_fixed/run sweep/run_b &&
       grep -q 'configs/a.yaml' sweep/trainscape-sweep-summary-"$summary_id".out &&
       grep -q 'configs/b.yaml' sweep/trainscape-sweep-summary-"$summary_id".out; then
      pass "submit_sweep.sh (2 configs + summary) = single processes; the summary names both"
    else
      fail "submit_sweep.sh: summary job $summary_id ended '$state'"
      tail -n 5 sweep/*.out 2>/dev/null | sed 's/^/  /'
    fi
  else
    fail "submit_sweep.sh did not submit"
  fi
else
  echo "SKIP: this trainscape has no 'sweep' command"
fi

if [ $failures -eq 0 ]; then
  echo "test_templates: all passed"
else
  echo "test_templates: $failures failed"
  exit 1
fi
