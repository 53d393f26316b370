#!/usr/bin/env bash
# The closing-note table of issue 5: every dimension estimator (porespy_median, boxcount_fit,
# pair, uncertainty) on every validation shape of docs/dimension.md#validation-shapes, with the
# true value and the error bars, at a larger resolution than the unit tests use; optionally also
# on a paper-like tanh run.
#
#   scripts/validate_dimension.sh [--n 1024] [--carpet-levels 7] [--points 400000] [--no-mc]
#                                 [--tanh [RESOLUTION]] [--engine batched]
#
# --tanh renders configs/paper_tanh.yaml at RESOLUTION (default 128) px, 3 frames, 300 steps,
# into /tmp/trainscape_tanh_RESOLUTION, then prints `trainscape dimension` of its run.h5 and the
# Monte-Carlo uncertainty exponent of its first window (20000 points). With the batched engine
# on 2 cores the 128 px run takes about 3 minutes and the Monte-Carlo part about 10.
# Run time of the shape table alone: about 2 minutes at n = 1024 with 400000 points.
set -euo pipefail
cd "$(dirname "$0")/.."

n=1024 carpet=7 points=400000 mc=1 tanh=0 tanh_res=128 engine=batched
while [[ $# -gt 0 ]]; do
  case "$1" in
    --n) n="$2"; shift 2 ;;
    --carpet-levels) carpet="$2"; shift 2 ;;
    --points) points="$2"; shift 2 ;;
    --no-mc) mc=0; shift ;;
    --engine) engine="$2"; shift 2 ;;
    --tanh)
      tanh=1; shift
      if [[ $# -gt 0 && "$1" =~ ^[0-9]+$ ]]; then tanh_res="$1"; shift; fi ;;
    *) echo "usage: $0 [--n N] [--carpet-levels L] [--points M] [--no-mc] [--tanh [RES]] [--engine NAME]" >&2; exit 2 ;;
  esac
done

cmake -S . -B build >/dev/null
cmake --build build -j"$(nproc)" --target validate_dimension trainscape >/dev/null

args=(--n "$n" --carpet-levels "$carpet" --points "$points")
[[ $mc == 1 ]] || args+=(--no-mc)
echo "## Validation shapes"
echo
echo "command: build/validate_dimension ${args[*]}"
echo
build/validate_dimension "${args[@]}"

if [[ $tanh == 1 ]]; then
  out="/tmp/trainscape_tanh_${tanh_res}"
  zoom=(build/trainscape zoom configs/paper_tanh.yaml --set "render.resolution=${tanh_res}" --set zoom.frames=3
        --set training.steps=300 --out "$out" --overwrite --engine "$engine")
  echo
  echo "## Paper-like tanh run"
  echo
  echo "command: ${zoom[*]}"
  "${zoom[@]}"
  echo
  echo "command: build/trainscape dimension $out/run.h5"
  build/trainscape dimension "$out/run.h5"
  if [[ $mc == 1 ]]; then
    unc=(build/trainscape uncertainty configs/paper_tanh.yaml --set training.steps=300 --points 20000 --engine "$engine")
    echo
    echo "command: ${unc[*]}"
    "${unc[@]}"
  fi
fi
