#!/usr/bin/env bash
# Times, in one run on this machine and on the same problem, the batched engine (float64 and
# float32), the reference engine, and the repository's two peers (scripts/peers: hand-vectorised
# NumPy and vmapped PyTorch, see scripts/peers/README.md), measures the machine's matrix-product
# ceiling for the two product shapes of a training step, and prints a table of pixel-steps/s,
# ratios and the fraction of the ceiling reached.
#
# Problem: the paper-like tanh network (width 16, depth 2, N = 272, full batch, float64) on the
# [-3, 6] x [-3, 6] window, RES x RES pixels, STEPS steps, THREADS threads for every contestant:
# the engines get runtime.threads = THREADS, the ceiling THREADS threads, OMP_NUM_THREADS and
# OPENBLAS_NUM_THREADS are exported as THREADS, and each peer gets --threads THREADS (the NumPy
# peer runs THREADS worker threads over pixel chunks with single-threaded BLAS; the PyTorch peer
# runs --workers THREADS processes over outer batches, each with torch.set_num_threads(1) and
# single-threaded BLAS: 4 times as fast, on a busy 2-core machine, as one process with THREADS
# intra-op threads).
#
# Usage: scripts/bench_vs_peers.sh [--res 64] [--steps 100] [--threads 2] [--build build]
#                                  [--reference-pixels 1024] [--repeat 1] [--no-install] [--skip-torch]
# --repeat N runs every measurement (engines, peers) N times and keeps the best rate, like the
# ceiling, which is the best of many timings: on a shared machine best-of-N is the fairest view.
# Needs build/trainscape (with the `bench` subcommand) and build/trainscape_gemm_ceiling. The
# peers need Debian's /usr/bin/python3 with python3-numpy, python3-torch and libopenblas0-pthread,
# which the script installs with apt-get when missing (unless --no-install); a peer that cannot
# run is skipped with a message.
# BLAS: the script prints which BLAS library NumPy (and PyTorch) actually load, and refuses
# (exit 3, no table) to compare against a peer that runs on Debian's reference BLAS
# (/usr/lib/x86_64-linux-gnu/blas/libblas.so.3): that would make the peer look about 3 times
# slower than it is. Fix: update-alternatives --set libblas.so.3-x86_64-linux-gnu
# /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 (there is no option to compare anyway).
# Exit codes: 0 done, 1 a trainscape binary is missing or failed, 2 bad command line,
# 3 refused (a peer is on the reference BLAS).
set -euo pipefail
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$self")/.."

res=64
steps=100
threads=2
build=build
ref_pixels=1024
repeat=1
install=1
skip_torch=0
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$self"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --res|--steps|--threads|--build|--reference-pixels|--repeat)
      if [ $# -lt 2 ]; then
        echo "bench_vs_peers: $1 needs a value (see --help)" >&2
        exit 2
      fi ;;&
    --res) res=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --reference-pixels) ref_pixels=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --no-install) install=0; shift ;;
    --skip-torch) skip_torch=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench_vs_peers: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for pair in "res:$res:2" "steps:$steps:1" "threads:$threads:1" "reference-pixels:$ref_pixels:1" "repeat:$repeat:1"; do
  IFS=: read -r name value least <<<"$pair"
  if ! [[ "$value" =~ ^[0-9]+$ ]] || [ "$value" -lt "$least" ]; then
    echo "bench_vs_peers: --$name '$value': must be an integer >= $least" >&2
    exit 2
  fi
done

peers=scripts/peers
python=/usr/bin/python3
pixels=$((res * res))
bin=$build/trainscape
ceiling_bin=$build/trainscape_gemm_ceiling
for f in "$bin" "$ceiling_bin"; do
  if [ ! -x "$f" ]; then
    echo "bench_vs_peers: $f not found; build first (scripts/build.sh)" >&2
    exit 1
  fi
done

# The same thread count for everyone: the engines (runtime.threads below), the ceiling (its
# argument), OpenBLAS/OpenMP (these variables) and the peers (--threads THREADS: each splits it
# into workers x THREADS / workers BLAS or torch threads and sets these variables to the latter).
export OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads MKL_NUM_THREADS=$threads

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# tile: auto, as a zoom uses it (res / 8 pixels a side, 8..64): the tiles are what the threads share,
# so a fixed 64-pixel tile would train a 64 x 64 grid as one tile on one thread (until 2026-12-03
# this script did that, and compared one trainscape thread with two of each peer's).
write_config() {  # precision
  cat > "$work/bench_$1.yaml" <<EOF
model:       {width: 16, depth: 2, nonlinearity: tanh, target_dim: 1}
data:        {size: params, ratio: 1.0, rng: native, seed: 0}
training:    {steps: $steps, batch: full, precision: $1}
phase_space: {kind: lr_vs_lr, x: [-3.0, 6.0], y: [-3.0, 6.0]}
render:      {resolution: $((res < 16 ? 16 : res))}
runtime:     {threads: $threads, tile: auto}
EOF
}
write_config float64
write_config float32

# ---- python peers: install what is missing ---------------------------------------------------
packages=(python3-numpy libopenblas0-pthread)
[ "$skip_torch" = 1 ] || packages+=(python3-torch)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$install" = 1 ]; then
    echo "bench_vs_peers: installing ${missing[*]} (for the peers)" >&2
    sudo=()
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo=(sudo)
    if ! { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
           --no-install-recommends "${missing[@]}" >/dev/null; }; then
      echo "bench_vs_peers: could not install ${missing[*]}" >&2
    fi
  else
    echo "bench_vs_peers: not installed (--no-install): ${missing[*]}" >&2
  fi
fi
have_module() { [ -x "$python" ] && "$python" -c "import $1" >/dev/null 2>&1; }
run_numpy=0
run_torch=0
have_module numpy && run_numpy=1
[ "$skip_torch" = 0 ] && have_module torch && run_torch=1

# ---- which BLAS the peers really use ---------------------------------------------------------
# Each peer's --blas-info imports its library, runs a float64 matrix product and reads the shared
# libraries mapped into its own process (/proc/self/maps), exactly as in a benchmark run.
alternative=$(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | sed -n 's/^Value: //p')
echo "bench_vs_peers: libblas.so.3 alternative -> ${alternative:-(none)}" >&2
blas_lines=()
refuse=()
numpy_args=(--threads "$threads")
torch_args=(--threads "$threads" --workers "$threads" --outer-batch-size 256)
probe_blas() {  # label script args...
  local out kind line
  if ! out=$("$python" "$peers/$2" --blas-info "${@:3}" 2>&1); then
    echo "bench_vs_peers: $1: BLAS probe failed: $(echo "$out" | tail -1)" >&2
    return
  fi
  line=$(echo "$out" | sed -n 's/^blas: //p' | tail -1)
  kind=$(echo "$out" | sed -n 's/^blas_kind=//p' | tail -1)
  echo "bench_vs_peers: BLAS of the $1: $line" >&2
  blas_lines+=("$1: $line")
  [ "$kind" = reference ] && refuse+=("$1")
  return 0
}
if [ "$run_numpy" = 1 ]; then probe_blas "numpy peer" peer_numpy.py "${numpy_args[@]}"; fi
if [ "$run_torch" = 1 ]; then probe_blas "torch peer" peer_torch.py "${torch_args[@]}"; fi
if [ ${#refuse[@]} -gt 0 ]; then
  who=${refuse[0]}
  [ ${#refuse[@]} -gt 1 ] && who="${refuse[0]} and the ${refuse[1]}"
  cat >&2 <<EOF
bench_vs_peers: REFUSED: the $who run(s) on Debian's reference BLAS (netlib, unoptimised: the
  NumPy peer measured about 3 times slower on it than on OpenBLAS), so ratios against it would
  flatter trainscape. No table is printed. Point libblas.so.3 at OpenBLAS and run again:
    apt-get install libopenblas0-pthread
    update-alternatives --set libblas.so.3-x86_64-linux-gnu /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3
  (or update-alternatives --auto libblas.so.3-x86_64-linux-gnu once OpenBLAS is installed).
EOF
  exit 3
fi

# Other work on the machine distorts multi-threaded timings most (a descheduled thread stalls its
# team at every barrier): say so, so that a table from a busy machine is read with care.
load=$(cut -d' ' -f1 /proc/loadavg)
cores=$(nproc)
if awk -v l="$load" 'BEGIN { exit !(l > 0.5) }'; then
  echo "bench_vs_peers: note: load average $load on $cores cores before the run: other work is running," \
       "timings (multi-threaded ones most) may be low; --repeat N keeps the best of N" >&2
fi

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
  local label=$1 script=$2 out i
  shift 2
  for ((i = 0; i < repeat; ++i)); do
    echo "bench_vs_peers: $label ($res x $res pixels x $steps steps, $threads threads)" >&2
    if ! out=$("$python" "$peers/$script" "$@" 2>&1); then
      echo "bench_vs_peers: skipping $label: it failed: $(echo "$out" | tail -1)" >&2
      return
    fi
    echo "$out" | tail -3 | sed 's/^/  /' >&2
    rate[$label]=$(best_of "${rate[$label]:-}" "$(echo "$out" | rate_of)")
  done
}

run_trainscape "batched float64" batched float64 "$pixels"
run_trainscape "batched float32" batched float32 "$pixels"
run_trainscape "reference" reference float64 "$ref_pixels"
if [ "$run_numpy" = 1 ]; then
  run_peer "numpy peer" peer_numpy.py --res "$res" --steps "$steps" --width 16 --nonlin tanh "${numpy_args[@]}"
else
  echo "bench_vs_peers: skipping the NumPy peer: python3-numpy is not installed" >&2
fi
if [ "$skip_torch" = 1 ]; then
  echo "bench_vs_peers: skipping the PyTorch peer (--skip-torch)" >&2
elif [ "$run_torch" = 1 ]; then
  run_peer "torch peer" peer_torch.py --res "$res" --steps "$steps" --width 16 --nonlin tanh "${torch_args[@]}"
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
printf '\n%s, %d x %d pixels x %d steps, %d threads, load average %s before the run\n' \
  "$(date -u '+%Y-%m-%d %H:%M UTC')" "$res" "$res" "$steps" "$threads" "$load"
for b in "${blas_lines[@]}"; do printf 'BLAS of the %s\n' "$b"; done
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
