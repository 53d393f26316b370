#!/usr/bin/env python3
"""PyTorch peer of trainscape's benchmark: the same problem, written the way someone porting the
paper's JAX notebook to PyTorch would write it: a loss for ONE network, a train step for ONE
network built with grad_and_value (jax.value_and_grad), and vmap (jax.vmap) of that step over the
hyperparameter points, in float64 on the CPU. Debian 12's python3-torch 1.13 provides vmap and
grad_and_value in functorch; torch.func (PyTorch >= 2.0) is used instead where it exists.

Problem (as trainscape's bench defines it; include/trainscape/*.hpp, src/reference_engine.cpp):
  network   out = (tanh(sqrt2 * X W0 / sqrt(n)) W1) / sqrt(n) / sqrt(n), no biases
  data      N = n*n + n rows (data.size: params, ratio 1); W0, W1, X, Y drawn from trainscape's
            native generator (data.rng: native, seed 0): exactly trainscape's arrays
  training  full-batch gradient descent on mean((out - Y)^2), the loss recorded before each
            update; learning rate x for W0 and y for W1 (phase_space lr_vs_lr)
  image     res x res points of the log10 window [-3, 6] x [-3, 6] (columns x, rows y),
            end-inclusive, as trainscape's Grid computes them
  measure   trainscape's convergence_measure (include/trainscape/measure.hpp)

The grid is trained in outer batches of --outer-batch-size points (the notebook's
outer_batch_size; the notebook uses 50000, which is slower on a CPU: the vmapped tensors then
no longer fit in cache). Each outer batch is one vmapped train step per gradient-descent step.

Threads: torch.set_num_threads(--threads) (PyTorch's intra-op pool, which also parallelises its
BLAS calls and element-wise kernels); OMP_NUM_THREADS and OPENBLAS_NUM_THREADS are set to the same
number before torch is imported.

Last line printed: pixel_steps_per_s=<pixels * steps / seconds of training + measure>.
Run with Debian's python: /usr/bin/python3 peer_torch.py --res 64 --steps 100 --threads 2
"""
import math
import os
import re
import time

from peer_common import blas_kind, mapped_blas_libraries, problem_parser, reference_description


def parse_args():
    p = problem_parser(__doc__)
    p.add_argument('--threads', type=int, default=1, help='torch.set_num_threads(threads)')
    p.add_argument('--workers', type=int, default=1,
                   help='processes sharing the outer batches, each with threads / workers torch threads '
                        '(1 = the notebook: one process)')
    p.add_argument('--outer-batch-size', type=int, default=256,
                   help='hyperparameter points per vmapped call (the notebook: 50000)')
    a = p.parse_args()
    if a.res < 2 or min(a.steps, a.width, a.threads, a.workers, a.outer_batch_size) < 1:
        p.error('need --res >= 2 and --steps, --width, --threads, --workers, --outer-batch-size >= 1')
    return a


args = parse_args()
THREADS_PER_WORKER = max(1, args.threads // args.workers)
for _name in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[_name] = str(THREADS_PER_WORKER)

import torch  # noqa: E402

try:
    from torch.func import grad_and_value, vmap  # PyTorch >= 2.0
except ImportError:
    from functorch import grad_and_value, vmap  # PyTorch 1.13 (Debian 12)

torch.set_num_threads(THREADS_PER_WORKER)
F64 = torch.float64
SQRT2 = math.sqrt(2.0)


# ---- which BLAS is loaded ------------------------------------------------------------------------
def blas_in_use():
    """(kind, description) of the BLAS mapped into this process after a float64 torch product."""
    a = torch.full((64, 64), 0.5, dtype=F64)
    torch.mm(a, a)
    found = mapped_blas_libraries()
    build = re.search(r'BLAS_INFO=(\w+)', torch.__config__.show())
    tail = f"[torch {torch.__version__}, built with BLAS_INFO={build.group(1) if build else '?'}]"
    kind = blas_kind(found)
    if kind == 'reference':
        return kind, reference_description(found, tail)
    listed = ' + '.join(found) if found else 'no BLAS library mapped'
    return kind, f'{listed} ({torch.get_num_threads()} torch thread(s) per process) {tail}'


# ---- trainscape's native generator (include/trainscape/random.hpp) --------------------------------
class NativeGenerator:
    """Counter-based: value i of a stream is a pure function of (seed, stream, i)."""
    M = 0xFFFFFFFFFFFFFFFF

    def __init__(self, seed):
        self.seed = seed & self.M

    @classmethod
    def finalise(cls, z):  # SplitMix64's finaliser
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & cls.M
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & cls.M
        return z ^ (z >> 31)

    def matrix(self, stream, rows, cols):
        """rows x cols standard normals (Box-Muller on two uniforms in (0, 1)), row-major."""
        key = self.finalise((self.seed + stream * 0x9E3779B97F4A7C15) & self.M)
        u = lambda i: ((self.finalise((key + i) & self.M) >> 11) + 0.5) * 2.0 ** -53  # noqa: E731
        draws = [math.sqrt(-2.0 * math.log(u(2 * i))) * math.cos(6.283185307179586 * u(2 * i + 1))
                 for i in range(rows * cols)]
        return torch.tensor(draws, dtype=F64).reshape(rows, cols)


def make_problem(width, nonlinearity, seed):
    """theta = (W0, W1), X, Y as trainscape draws them for data {size: params, ratio: 1}."""
    g = NativeGenerator(seed)
    n_data = width if nonlinearity == 'identity' else width * width + width
    theta = (g.matrix(16, width, width), g.matrix(17, width, 1))   # streams 16 + layer
    return theta, g.matrix(1, n_data, width), g.matrix(2, n_data, 1)


def grid_axis(lo, hi, count):
    """trainscape's Grid: 10^centre * 10^(half * (2j - (count - 1)) / (count - 1))."""
    centre, half = 0.5 * (lo + hi), 0.5 * (hi - lo)
    return [math.pow(10.0, centre) * math.pow(10.0, half * (2 * j - (count - 1)) / (count - 1))
            for j in range(count)]


# ---- the notebook's functions, for one network ---------------------------------------------------
def net(theta, X):
    """mean-field MLP: each layer divides by sqrt(fan_in); the output is divided once more."""
    h = X
    for i, W in enumerate(theta):
        z = torch.matmul(h, W) / math.sqrt(W.shape[0])
        if i + 1 == len(theta):
            return z / math.sqrt(W.shape[0])
        if args.nonlin == 'tanh':
            h = torch.tanh(SQRT2 * z)
        elif args.nonlin == 'relu':
            h = SQRT2 * torch.relu(z)
        else:
            h = z


def loss_fn(theta, X, Y):
    return torch.mean((net(theta, X) - Y) ** 2)


def train_step(theta, hparams, X, Y):
    """one gradient-descent step of one network; layer i uses learning rate hparams[i % 2]"""
    grads, loss = grad_and_value(loss_fn)(theta, X, Y)
    new_theta = tuple(W - hparams[i % 2] * g for i, (W, g) in enumerate(zip(theta, grads)))
    return new_theta, loss


# jax.vmap(train_step, in_axes=(0, 0, None, None)): every point has its own weights and rates,
# the data are shared.
batched_train_step = vmap(train_step, in_dims=(0, 0, None, None))


def convergence_measure(losses):
    """trainscape's measure for each row of (P, T) losses (see include/trainscape/measure.hpp)."""
    ok = torch.isfinite(losses)
    big = torch.full_like(losses, 1e6)
    l = torch.where(ok, losses, big)
    v = l / l[:, :1]
    v = torch.where(v < 1e6, v, big)                     # clamps, and turns a NaN ratio into 1e6
    v = torch.where(~ok & (v < 1.0), torch.ones_like(v), v)
    tail = min(losses.shape[1], 20)
    converged = v[:, -tail:].sum(dim=1) / tail < 1.0
    return torch.where(converged, -v.sum(dim=1), (1.0 / v).sum(dim=1))


def train_outer_batch(theta, hparams, X, Y, steps):
    P = hparams.shape[0]
    params = tuple(W.unsqueeze(0).expand(P, *W.shape).clone() for W in theta)
    history = []
    for _ in range(steps):
        params, loss = batched_train_step(params, hparams, X, Y)
        history.append(loss)
    return convergence_measure(torch.stack(history, dim=1))


_shared = {}


def _worker_start(theta, X, Y, hparams):
    _shared.update(theta=theta, X=X, Y=Y, hparams=hparams)


def _worker_run(a):
    with torch.no_grad():
        return train_outer_batch(_shared['theta'], _shared['hparams'][a:a + args.outer_batch_size],
                                 _shared['X'], _shared['Y'], args.steps)


def main():
    if args.blas_info:
        kind, text = blas_in_use()
        print(f'blas: {text}')
        print(f'blas_kind={kind}')
        return
    theta, X, Y = make_problem(args.width, args.nonlin, args.seed)
    res = args.res
    xs = torch.tensor(grid_axis(args.window[0], args.window[1], res), dtype=F64)
    ys = torch.tensor(grid_axis(args.window[2], args.window[3], res), dtype=F64)
    # point i = row * res + col: (x, y) = (xs[col], ys[row])
    hparams = torch.stack([xs.repeat(res), ys.repeat_interleave(res)], dim=1)
    pixels = res * res
    starts = range(0, pixels, args.outer_batch_size)
    if args.workers > 1:
        # Processes, not threads: vmap is not thread-safe in 1.13. They are started (and import
        # torch) before the clock starts.
        import multiprocessing
        with multiprocessing.get_context('spawn').Pool(args.workers, _worker_start,
                                                       (theta, X, Y, hparams)) as pool:
            pool.map(abs, range(args.workers), chunksize=1)
            start = time.perf_counter()
            parts = pool.map(_worker_run, starts, chunksize=1)
            seconds = time.perf_counter() - start
    else:
        start = time.perf_counter()
        with torch.no_grad():  # grad_and_value does its own differentiation
            parts = [train_outer_batch(theta, hparams[a:a + args.outer_batch_size], X, Y, args.steps)
                     for a in starts]
        seconds = time.perf_counter() - start
    image = torch.cat(parts).reshape(res, res)
    if args.out:
        import numpy as np
        np.save(args.out, image.numpy())
    kind, text = blas_in_use()
    print(f'peer_torch: {res} x {res} pixels, {args.steps} steps, width {args.width}, N {X.shape[0]}, '
          f'{args.nonlin}, float64, threads {args.threads} ({args.workers} workers x {THREADS_PER_WORKER}), '
          f'outer batch {args.outer_batch_size}, '
          f'torch {torch.__version__}')
    print(f'blas: {text}')
    print(f'train_seconds={seconds:.3f} converged={int((image < 0).sum())} diverged={int((image > 0).sum())}')
    print(f'pixel_steps_per_s={pixels * args.steps / seconds:.6g}')


if __name__ == '__main__':
    main()
