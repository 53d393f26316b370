#!/usr/bin/env python3
"""NumPy peer of trainscape's benchmark: the same problem, written the way a careful NumPy user
would write it by hand (no autodiff, no compiled extension), in float64.

Problem (as trainscape's bench defines it; include/trainscape/*.hpp, src/reference_engine.cpp):
  network   out = (tanh(sqrt2 * X W0 / sqrt(n)) W1) / n      W0: n x n, W1: n x 1, no biases
  data      N = n*n + n rows (data.size: params, ratio 1), X: N x n, Y: N x 1
  draws     W0, W1, X, Y from trainscape's native generator (data.rng: native, seed 0), so the
            peer trains exactly trainscape's arrays
  training  full-batch gradient descent, loss = mean((out - Y)^2) recorded before each update,
            learning rate x for W0 and y for W1 (phase_space lr_vs_lr)
  image     res x res points of the log10 window [-3, 6] x [-3, 6], column j -> x, row i -> y,
            end-inclusive, computed as trainscape's Grid does (10^centre * 10^offset)
  measure   trainscape's convergence_measure (include/trainscape/measure.hpp)

How it is vectorised: the pixels are cut into chunks of --chunk pixels trained together. A chunk
keeps all its first-layer weights side by side as one n x (P n) matrix, so the two heavy products
of a step are each ONE dgemm for the whole chunk:
  forward     Z  = X   @ [W0_1 .. W0_P]        (N x n)(n x P n)
  gradient    G0 = X^T @ [D0_1 .. D0_P]        (n x N)(N x P n)
(the shapes trainscape_gemm_ceiling measures), and the rest (tanh, the n -> 1 output layer, its
gradient, the back-propagated signal and 1 - h^2) is whole-array NumPy work on N x P x n arrays.
Constant factors are folded into the small per-pixel arrays where that costs nothing.

Threads: --threads T in total. By default T Python worker threads take chunks in turn (NumPy
releases the GIL in ufuncs and BLAS calls) and BLAS runs single-threaded in each; --workers W
uses W workers with T / W BLAS threads each.

Last line printed: pixel_steps_per_s=<pixels * steps / seconds of training + measure>.
Run with Debian's python: /usr/bin/python3 peer_numpy.py --res 64 --steps 100 --threads 2
"""
import math
import os
import re
import sys
import time

from peer_common import blas_kind, mapped_blas_libraries, problem_parser, reference_description


def parse_args():
    p = problem_parser(__doc__)
    p.add_argument('--threads', type=int, default=1, help='CPU threads in total')
    p.add_argument('--workers', type=int, default=0,
                   help='Python worker threads over chunks (default: --threads); BLAS gets threads / workers')
    p.add_argument('--chunk', type=int, default=32, help='pixels trained together')
    a = p.parse_args()
    if a.res < 2 or a.steps < 1 or a.width < 1 or a.threads < 1 or a.chunk < 1 or a.workers < 0:
        p.error('need --res >= 2 and --steps, --width, --threads, --chunk >= 1')
    return a


args = parse_args()
WORKERS = args.workers or args.threads
BLAS_THREADS = max(1, args.threads // WORKERS)
# BLAS reads these when it is loaded, i.e. on `import numpy`: they must be set first.
for _name in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[_name] = str(BLAS_THREADS)

import numpy as np  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402

SQRT2 = math.sqrt(2.0)
CLAMP = 1e6          # kLossRatioClamp
TAIL = 20            # kConvergenceTailSteps


# ---- which BLAS is loaded ------------------------------------------------------------------------
def blas_in_use():
    """(kind, description) of the BLAS mapped into this process after a float64 product."""
    a = np.full((64, 64), 0.5)
    a @ a
    libs = mapped_blas_libraries()
    kind = blas_kind(libs)
    if kind == 'reference':
        return kind, reference_description(libs, f'[numpy {np.__version__}]')
    openblas = [p for p in libs if 'openblas' in os.path.basename(p).lower()]
    if openblas:
        detail = ''
        try:
            import ctypes
            lib = ctypes.CDLL(openblas[0])
            lib.openblas_get_config.restype = ctypes.c_char_p
            lib.openblas_get_corename.restype = ctypes.c_char_p
            config = lib.openblas_get_config().decode().split()
            detail = (f" ({' '.join(config[:2])}, core {lib.openblas_get_corename().decode()},"
                      f" {lib.openblas_get_num_threads()} BLAS thread(s) per worker)")
        except (OSError, AttributeError):
            pass
        return 'openblas', f"{' + '.join(libs)}{detail} [numpy {np.__version__}]"
    listed = ' + '.join(libs) if libs else 'no BLAS library mapped'
    return kind, f'{listed} [numpy {np.__version__}]'


# ---- trainscape's native generator (include/trainscape/random.hpp) --------------------------------
MASK64 = (1 << 64) - 1


def mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def native_normals(seed, stream, rows, cols):
    """rows x cols N(0, 1) draws of one stream, row-major, bit for bit as trainscape draws them
    (Python's math.log/cos and C++'s std::log/cos are the same C library functions)."""
    key = mix64(((seed & MASK64) + stream * 0x9E3779B97F4A7C15) & MASK64)

    def uniform(i):
        return ((mix64((key + i) & MASK64) >> 11) + 0.5) * 2.0 ** -53

    values = [math.sqrt(-2.0 * math.log(uniform(2 * i))) * math.cos(6.283185307179586 * uniform(2 * i + 1))
              for i in range(rows * cols)]
    return np.array(values, dtype=np.float64).reshape(rows, cols)


def make_problem(width, nonlin, seed):
    """W0 (n x n), W1 (n x 1), X (N x n), Y (N x 1) as trainscape's make_problem with
    data: {size: params, ratio: 1.0, rng: native} and target_dim 1."""
    n = width
    n_data = n if nonlin == 'identity' else n * n + n
    W0 = native_normals(seed, 16, n, n)
    W1 = native_normals(seed, 17, n, 1)
    X = native_normals(seed, 1, n_data, n)
    Y = native_normals(seed, 2, n_data, 1)
    return W0, W1, X, Y


def axis_values(lo, hi, count):
    """trainscape's Grid: 10^centre * 10^(half * (2j - (count - 1)) / (count - 1))."""
    centre, half = 0.5 * (lo + hi), 0.5 * (hi - lo)
    scale = math.pow(10.0, centre)
    return np.array([scale * math.pow(10.0, half * (2 * j - (count - 1)) / (count - 1))
                     for j in range(count)])


# ---- training ------------------------------------------------------------------------------------
def train_chunk(problem, lr0, lr1, steps, nonlin):
    """Trains P = len(lr0) networks from the same initial weights; returns their (P, steps) losses."""
    W0_init, W1_init, X, Y = problem
    N, n = X.shape
    P = lr0.shape[0]
    s0 = 1.0 / math.sqrt(W0_init.shape[0])             # layer scale 1 / sqrt(fan_in)
    s1 = (1.0 / math.sqrt(W1_init.shape[0])) ** 2        # output layer: divided by sqrt(n) twice
    XT = np.ascontiguousarray(X.T)
    W0 = np.ascontiguousarray(np.broadcast_to(W0_init[:, None, :], (n, P, n)))   # W0[:, p, :] is pixel p's
    W1 = np.ascontiguousarray(np.broadcast_to(W1_init[:, 0], (P, n)))            # W1[p] is pixel p's
    W0_flat = W0.reshape(n, P * n)
    Z = np.empty((N, P, n))            # pre-activations
    H = np.empty((N, P, n))            # activations, then the back-propagated signal D0
    Z_flat, H_flat = Z.reshape(N, P * n), H.reshape(N, P * n)
    G0 = np.empty((n, P, n))
    G0_flat = G0.reshape(n, P * n)
    H_by_pixel = H.transpose(1, 0, 2)  # P x N x n view: pixel p's activations as an N x n matrix
    y = Y[:, 0][None, :]
    r = np.empty((P, N))               # pixel p's output, then residual, then d loss / d out
    sq = np.empty(P)
    g1 = np.empty((P, n))
    losses = np.empty((P, steps))
    inv_count = 1.0 / N                                  # mean over N x 1 outputs
    step0 = (lr0 * s0)[None, :, None]                    # lr and the layer scale of dW0, folded
    step1 = (lr1 * s1)[:, None]
    positive = np.empty((N, P, n), dtype=bool) if nonlin == 'relu' else None
    for t in range(steps):
        # forward
        np.matmul(X, W0_flat, out=Z_flat)                        # heavy product 1
        if nonlin == 'tanh':
            np.multiply(Z, s0 * SQRT2, out=Z)                    # sqrt2 * (s0 z); exact fold for width 16 (s0 = 1/4)
            np.tanh(Z, out=H)
        elif nonlin == 'relu':
            np.multiply(Z, s0, out=Z)
            np.greater(Z, 0.0, out=positive)
            H.fill(0.0)
            np.multiply(Z, SQRT2, out=H, where=positive)         # sqrt2 * z where z > 0, else 0
        else:
            np.multiply(Z, s0, out=H)
        np.matmul(H_by_pixel, W1[:, :, None], out=r[:, :, None])   # output layer: P products (N x n)(n x 1)
        r *= s1
        r -= y                                                   # residual, P x N
        np.einsum('pm,pm->p', r, r, out=sq)
        losses[:, t] = sq * inv_count                            # mean squared error
        r *= 2.0 * inv_count                                     # d loss / d out
        # backward
        np.matmul(r[:, None, :], H_by_pixel, out=g1[:, None, :])  # dW1 / s1: P products (1 x N)(N x n)
        if nonlin == 'tanh':
            np.multiply(H, H, out=H)
            np.subtract(1.0, H, out=H)                           # tanh' / sqrt2 = 1 - h^2
            w = W1 * (s1 * SQRT2)
        elif nonlin == 'relu':
            np.multiply(positive, 1.0, out=H)
            w = W1 * (s1 * SQRT2)
        else:
            H.fill(1.0)
            w = W1 * s1
        H *= r.T[:, :, None]                                     # times d loss / d out
        H *= w[None, :, :]                                       # times W1^T: D0 = d loss / d (X W0 s0)
        np.matmul(XT, H_flat, out=G0_flat)                       # heavy product 2
        # update
        G0 *= step0
        W0 -= G0
        g1 *= step1
        W1 -= g1
    return losses


def convergence_measure(losses):
    """trainscape's convergence_measure for each row of a (P, T) loss array: v_t = l_t / l_0 with
    non-finite losses taken as 1e6 (and then v_t >= 1), ratios clamped at 1e6 (a NaN ratio too);
    converged iff the mean of the last 20 v_t < 1; measure -sum v_t if converged, else sum 1 / v_t."""
    finite = np.isfinite(losses)
    l = np.where(finite, losses, CLAMP)
    ratio = l / l[:, :1]
    v = np.where(ratio < CLAMP, ratio, CLAMP)
    v = np.where(~finite & (v < 1.0), 1.0, v)
    tail = min(losses.shape[1], TAIL)
    converged = v[:, -tail:].sum(axis=1) / tail < 1.0
    return np.where(converged, -v.sum(axis=1), (1.0 / v).sum(axis=1))


def main():
    if args.blas_info:
        kind, text = blas_in_use()
        print(f'blas: {text}')
        print(f'blas_kind={kind}')
        return
    problem = make_problem(args.width, args.nonlin, args.seed)
    res = args.res
    xs = axis_values(args.window[0], args.window[1], res)
    ys = axis_values(args.window[2], args.window[3], res)
    lr0 = np.tile(xs, res)              # pixel i = row * res + col: x = xs[col], y = ys[row]
    lr1 = np.repeat(ys, res)
    pixels = res * res
    starts = range(0, pixels, args.chunk)

    def chunk(a):
        b = min(a + args.chunk, pixels)
        with np.errstate(all='ignore'):
            return convergence_measure(train_chunk(problem, lr0[a:b], lr1[a:b], args.steps, args.nonlin))

    start = time.perf_counter()
    if WORKERS > 1:
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            parts = list(pool.map(chunk, starts))
    else:
        parts = [chunk(a) for a in starts]
    seconds = time.perf_counter() - start
    image = np.concatenate(parts).reshape(res, res)
    if args.out:
        np.save(args.out, image)
    kind, text = blas_in_use()
    print(f'peer_numpy: {res} x {res} pixels, {args.steps} steps, width {args.width}, N {problem[2].shape[0]}, '
          f'{args.nonlin}, float64, threads {args.threads} ({WORKERS} workers x {BLAS_THREADS} BLAS), '
          f'chunk {args.chunk}')
    print(f'blas: {text}')
    print(f'train_seconds={seconds:.3f} converged={int((image < 0).sum())} diverged={int((image > 0).sum())}')
    print(f'pixel_steps_per_s={pixels * args.steps / seconds:.6g}')


if __name__ == '__main__':
    main()
