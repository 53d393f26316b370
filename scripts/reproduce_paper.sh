#!/usr/bin/env bash
# Renders the paper's six panels (configs/paper/*.yaml: each a zoom sequence of keyframes that
# doubles in width about the panel's centre up to 6 decades, down to the paper's window), pools
# each sequence's box-count slopes as the paper did, and writes a Markdown table with the paper's
# estimator and the two less biased ones side by side (`trainscape dimension`, docs/dimension.md):
#   panel | paper | porespy median (the paper's estimator) | box-count fit [95%] | pair [95%] |
#   resolution | steps | frames | wall time | deepest frame
#
# Usage: scripts/reproduce_paper.sh [--resolution R] [--steps T] [--engine NAME] [--out DIR]
#                                   [--threads N] [--only PANEL]
# Defaults: R = 129, T = 1000, engine = batched, out = runs/paper_reproduction. An odd R lets every
# frame after the first copy a quarter of its pixels from the previous one (docs/model.md#zoom).
# Cost on 2 Zen 4 cores at R = 129: deep_linear and tanh_single about 30 s each (fast paths); the
# other four panels about half an hour each.
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
while [ $# -gt 0 ]; do
  case "$1" in
    --resolution) resolution="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --engine) engine="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
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
for entry in "${panels[@]}"; do
  IFS='|' read -r name title paper <<< "$entry"
  if [ -n "$only" ] && [ "$only" != "$name" ]; then continue; fi
  frames=$(grep -o 'frames: [0-9]*' "configs/paper/$name.yaml" | grep -o '[0-9]*')
  echo "reproduce_paper.sh: $name ($frames frames of $resolution^2 pixels x $steps steps)" >&2
  start=$(date +%s)
  ours=$(build/trainscape zoom "configs/paper/$name.yaml" --out "$out/$name" --overwrite -q \
           --engine "$engine" --threads "$threads" \
           --set render.resolution="$resolution" --set training.steps="$steps")
  seconds=$(( $(date +%s) - start ))
  # The sequence row of `trainscape dimension`: fixed-width columns (label 8, porespy 15, box-count
  # fit 27, pair 27, one space between).
  sequence=$(build/trainscape dimension "$out/$name/run.h5" | grep '^sequence ')
  trim() { sed -e 's/^ *//' -e 's/ *$//'; }
  boxfit=$(printf '%s' "$sequence" | cut -c26-52 | trim)
  pair=$(printf '%s' "$sequence" | cut -c54-80 | trim)
  deepest=$(printf '%s/frame_%03d.png' "$name" $((frames - 1)))
  printf '| %s | %s | %.3f | %s | %s | %s | %s | %s | %d s | %s |\n' "$title" "$paper" "$ours" "$boxfit" "$pair" \
    "$resolution" "$steps" "$frames" "$seconds" "$deepest" >> "$table"
done
echo "" >> "$table"
echo "Total wall time: $(( $(date +%s) - total_start )) s (engine $engine, $(nproc) cores)." >> "$table"
cat "$table"
