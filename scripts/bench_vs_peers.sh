#!/usr/bin/env bash
# Times, in one run on this machine and on the same problem, the batched engine (float64 and
# float32), the reference engine, the NumPy peer and the PyTorch peer (../shared/peers), measures
# the machine's matrix-product ceiling for the two product shapes of a training step, and prints
# a table of pixel-steps/s, ratios and the fraction of the ceiling reached.
#
# Problem: the paper-like tanh network (width 16, depth 2, N = 272, full batch, float64) on the
# [-3, 6] x [-3, 6] window, RES x RES pixels, STEPS steps, THREADS threads.
#
# Usage: scripts/bench_vs_peers.sh [--res 64] [--steps 100] [--threads 2] [--build build]
#                                  [--reference-pixels 1024] [--repeat 1] [--no-install] [--skip-torch]
# --repeat N runs every measurement (engines, peers) N times and keeps the best rate, like the
# ceiling, which is the best of many timings: on a shared machine best-of-N is the fairest view.
# Environment: PEERS_DIR (default ../shared/peers next to the repository).
# Needs build/trainscape (with the `bench` subcommand) and build/trainscape_gemm_ceiling; the
# peers need Debian's python3-numpy and python3-torch, which the script installs when missing
# (unless --no-install); a peer that cannot run is skipped with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

res=64
steps=100
threads=2
build=build
ref_pixels=1024
repeat=1
install=1
skip_torch=0
while [ $# -gt 0 ]; do
  case "$1" in
    --res) res=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --reference-pixels) ref_pixels=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --no-install) install=0; shift ;;
    --skip-torch) skip_torch=1; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "bench_vs_peers: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
peers=${PEERS_DIR:-$repo/../shared/peers}
pixels=$((res * res))
bin=$build/trainscape
ceiling_bin=$build/trainscape_gemm_ceiling
for f in "$bin" "$ceiling_bin"; do
  if [ ! -x "$f" ]; then
    echo "bench_vs_peers: $f not found; build first (scripts/build.sh)" >&2
    exit 1
  fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
write_config() {  # precision
  cat > "$work/bench_$1.yaml" <<EOF
model:       {width: 16, depth: 2, nonlinearity: tanh, target_dim: 1}
data:        {size: params, ratio: 1.0, seed: 0}
training:    {steps: $steps, batch: full, precision: $1}
phase_space: {kind: lr_vs_lr, x: [-3.0, 6.0], y: [-3.0, 6.0]}
render:      {resolution: $res}
runtime:     {threads: $threads, tile: 64}
EOF
}
write_config float64
write_config float32

# ---- python peers: install what is missing ---------------------------------------------------
have_module() { /usr/bin/python3 -c "import $1" >/dev/null 2>&1; }
for pair in numpy:python3-numpy torch:python3-torch; do
  module=${pair%%:*}
  package=${pair##*:}
  [ "$module" = torch ] && [ "$skip_torch" = 1 ] && continue
  if ! have_module "$module" && [ "$install" = 1 ] && [ -x /usr/bin/python3 ]; then
    echo "bench_vs_peers: installing $package (for the peers)" >&2
    sudo=()
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo=(sudo)
    if ! { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
           --no-install-recommends "$package" >/dev/null; }; then
      echo "bench_vs_peers: could not install $package" >&2
    fi
  fi
done

rate_of() { sed -n 's/.*pixel_steps_per_s=\([0-9.eE+-]*\).*/\1/p' | tail -1; }
best_of() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { print (a + 0 > b + 0) ? a : b }'; }

declare -A rate
run_trainscape() {  # label engine precision pixels
  local out i
  for ((i = 0; i < repeat; ++i)); do
    echo "bench_vs_peers: $1 ($3, $4 pixels x $steps steps, $threads threads)" >&2
    out=$("$bin" bench "$work/bench_$3.yaml" --engine "$2" --pixels "$4" --steps "$steps" 2>&1) || {
      echo "$out" >&2
      echo "bench_vs_peers: trainscape bench failed" >&2
      exit 1
    }
    echo "  ${out##*$'\n'}" >&2
    rate[$1]=$(best_of "${rate[$1]:-}" "$(echo "$out" | rate_of)")
  done
}
run_peer() {  # label script args...
  local label=$1 script=$2 out
  shift 2
  if [ ! -f "$peers/$script" ]; then
    echo "bench_vs_peers: skipping $label: $peers/$script not found (set PEERS_DIR)" >&2
    return
  fi
  local i
  for ((i = 0; i < repeat; ++i)); do
    echo "bench_vs_peers: $label ($res x $res pixels x $steps steps, $threads threads)" >&2
    if ! out=$(cd "$peers" && /usr/bin/python3 "$script" "$@" 2>&1); then
      echo "bench_vs_peers: skipping $label: it failed: $(echo "$out" | tail -1)" >&2
      return
    fi
    echo "  ${out##*$'\n'}" >&2
    rate[$label]=$(best_of "${rate[$label]:-}" "$(echo "$out" | rate_of)")
  done
}

run_trainscape "batched float64" batched float64 "$pixels"
run_trainscape "batched float32" batched float32 "$pixels"
run_trainscape "reference" reference float64 "$ref_pixels"
if have_module numpy; then
  run_peer "numpy peer" peer_numpy.py --res "$res" --steps "$steps" --width 16 --nonlin tanh --threads "$threads"
else
  echo "bench_vs_peers: skipping the NumPy peer: python3-numpy is not installed" >&2
fi
if [ "$skip_torch" = 1 ]; then
  echo "bench_vs_peers: skipping the PyTorch peer (--skip-torch)" >&2
elif have_module torch; then
  run_peer "torch peer" peer_torch.py --res "$res" --steps "$steps" --width 16 --nonlin tanh \
    --threads "$threads" --workers "$threads" --outer-batch-size 256
else
  echo "bench_vs_peers: skipping the PyTorch peer: python3-torch is not installed" >&2
fi

echo "bench_vs_peers: matrix-product ceiling (Eigen GEMM, $threads threads)" >&2
ceiling_out=$("$ceiling_bin" 272 16 "$threads" 0.3)
echo "$ceiling_out" | sed 's/^/  /' >&2
ceiling=$(echo "$ceiling_out" | sed -n 's/^ceiling_gflops=//p')

# ---- table ---------------------------------------------------------------------------------------
flops=314704  # flops_per_pixel_step of this problem (include/trainscape/bench.hpp)
labels=("batched float64" "batched float32" "reference" "numpy peer" "torch peer")
printf '\n%-16s %14s %9s %11s %11s %11s\n' "engine" "pixel-steps/s" "GFLOP/s" "x numpy" "x torch" "of ceiling"
for l in "${labels[@]}"; do
  r=${rate[$l]:-}
  [ -z "$r" ] && { printf '%-16s %14s\n' "$l" "skipped"; continue; }
  awk -v l="$l" -v r="$r" -v np="${rate[numpy peer]:-}" -v th="${rate[torch peer]:-}" -v f="$flops" -v c="$ceiling" 'BEGIN {
    g = r * f / 1e9
    xn = np == "" ? "-" : sprintf("%.2f", r / np)
    xt = th == "" ? "-" : sprintf("%.2f", r / th)
    printf "%-16s %14.4g %9.2f %11s %11s %10.0f%%\n", l, r, g, xn, xt, 100 * g / c
  }'
done
awk -v a="${rate[batched float32]}" -v b="${rate[batched float64]}" -v c="$ceiling" -v f="$flops" 'BEGIN {
  printf "\nfloat32 / float64: %.2f\n", a / b
  printf "ceiling: %.1f GFLOP/s = %.3g pixel-steps/s at %d flops per pixel-step (best P; see above)\n", c, c * 1e9 / f, f
}'
