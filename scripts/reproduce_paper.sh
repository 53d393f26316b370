#!/usr/bin/env bash
# Renders the paper's six panels (configs/paper/*.yaml: each a zoom sequence of keyframes that
# doubles in width about the panel's centre up to 6 decades, down to the paper's window), pools
# each sequence's box-count slopes as the paper did, and writes a Markdown table with the paper's
# estimator and the two less biased ones side by side (`trainscape dimension`, docs/dimension.md):
#   panel | paper | porespy median (the paper's estimator) | box-count fit [95%] | pair [95%] |
#   resolution | steps | frames | wall time | deepest frame
#
# Usage: scripts/reproduce_paper.sh [--resolution R] [--steps T] [--engine NAME] [--out DIR]
#                                   [--threads N] [--only PANEL] [--resume]
# Defaults: R = 129, T = 1000, engine = batched, out = runs/paper_reproduction. An odd R lets every
# frame after the first copy a quarter of its pixels from the previous one (docs/model.md#zoom).
# Cost at R = 129 on 2 cores: deep_linear and tanh_single under 1.5 min each (fast paths); ReLU
# 34 min on the AVX2 (Zen 1) development VM, the three other tanh panels hours there.
# --resume continues panels an earlier invocation left unfinished (Ctrl-C, a kill, the end of a
# batch job) from their journals instead of starting them again (`trainscape zoom --resume`);
# finished panels are not recomputed. Each panel's wall time is summed over the invocations that
# worked on it (kept in OUT/<panel>/wall_seconds) and the table says how many there were.
# The table goes to stdout and to OUT/table.md; every panel's run (frame PNGs, run.h5) to OUT/<panel>.
# Set-up (packages, build) is done by scripts/build.sh if the binary is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

resolution=129
steps=1000
engine=batched
out=runs/paper_reproduction
threads=0
only=""
resume=0
while [ $# -gt 0 ]; do
  case "$1" in
    --resolution) resolution="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --engine) engine="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --resume) resume=1; shift ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "reproduce_paper.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

[ -x build/trainscape ] || scripts/build.sh
mkdir -p "$out"

# panel name, title, the paper's dimension (docs/model.md#paper-panels)
panels=(
  "deep_linear|deep linear, full batch|1.17"
  "relu|ReLU, full batch|1.20"
  "tanh_single|tanh, dataset size 1|1.41"
  "tanh_minibatch|tanh, minibatch 16|1.55"
  "tanh_full|tanh, full batch|1.66"
  "init_offset|init offset vs lr (offset before every step)|1.98"
)

table="$out/table.md"
{
  echo "| panel | paper | porespy median | box-count fit [95%] | pair [95%] | resolution | steps | frames | wall time | deepest frame |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
} > "$table"
total_start=$(date +%s)
# The running panel's wall time so far, saved if the script is stopped part-way, so that a
# resumed panel reports the time of all its invocations.
current_wall_file=""
current_previous=0
current_start=0
save_partial_time() {
  if [ -n "$current_wall_file" ]; then
    echo "$(( current_previous + $(date +%s) - current_start )) $(( current_invocations ))" > "$current_wall_file"
  fi
}
trap save_partial_time EXIT
for entry in "${panels[@]}"; do
  IFS='|' read -r name title paper <<< "$entry"
  if [ -n "$only" ] && [ "$only" != "$name" ]; then continue; fi
  frames=$(grep -o 'frames: [0-9]*' "configs/paper/$name.yaml" | grep -o '[0-9]*')
  echo "reproduce_paper.sh: $name ($frames frames of $resolution^2 pixels x $steps steps)" >&2
  mode=--overwrite
  previous=0
  invocations=0
  wall_file="$out/$name/wall_seconds"
  if [ "$resume" = 1 ]; then
    mode=--resume
    if [ -f "$wall_file" ]; then read -r previous invocations < "$wall_file"; fi
  else
    rm -f "$wall_file"
  fi
  if [ "$resume" = 1 ] && [ -f "$out/$name/run.h5" ] && [ ! -d "$out/$name/journal" ]; then
    # Finished earlier (a run's journal is removed when it completes): nothing to compute.
    seconds=$previous
  else
    current_wall_file="$wall_file"
    current_previous=$previous
    current_invocations=$(( invocations + 1 ))
    current_start=$(date +%s)
    build/trainscape zoom "configs/paper/$name.yaml" --out "$out/$name" "$mode" -q \
      --engine "$engine" --threads "$threads" \
      --set render.resolution="$resolution" --set training.steps="$steps" > /dev/null
    seconds=$(( previous + $(date +%s) - current_start ))
    save_partial_time
    current_wall_file=""
    invocations=$current_invocations
  fi
  # The sequence row of `trainscape dimension`: fixed-width columns (label 8, porespy 15, box-count
  # fit 27, pair 27, one space between).
  sequence=$(build/trainscape dimension "$out/$name/run.h5" | grep '^sequence ')
  trim() { sed -e 's/^ *//' -e 's/ *$//'; }
  ours=$(printf '%s' "$sequence" | cut -c10-24 | trim)
  case "$ours" in [0-9]*) ours=$(printf '%.3f' "$ours") ;; esac  # the paper's precision; "n/a" stays
  boxfit=$(printf '%s' "$sequence" | cut -c26-52 | trim)
  pair=$(printf '%s' "$sequence" | cut -c54-80 | trim)
  deepest=$(printf '%s/frame_%03d.png' "$name" $((frames - 1)))
  wall="$seconds s"
  if [ "$invocations" -gt 1 ]; then wall="$seconds s ($invocations runs)"; fi
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$title" "$paper" "$ours" "$boxfit" "$pair" \
    "$resolution" "$steps" "$frames" "$wall" "$deepest" >> "$table"
done
echo "" >> "$table"
echo "Total wall time: $(( $(date +%s) - total_start )) s (engine $engine, $(nproc) cores)." >> "$table"
cat "$table"
