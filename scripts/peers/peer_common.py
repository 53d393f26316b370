"""What both peers share: the command-line options of the problem, and finding which BLAS library
a process has mapped. Plain Python (no numpy or torch import), so that a peer can set the BLAS
thread variables before it imports its library."""
import argparse
import os
import re


def problem_parser(description):
    """An ArgumentParser with the options that define the problem and the output; each peer adds
    its own parallelism options."""
    p = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--res', type=int, default=64, help='image side: res x res pixels (>= 2)')
    p.add_argument('--steps', type=int, default=100, help='gradient-descent steps per pixel')
    p.add_argument('--width', type=int, default=16, help='hidden width n = input dimension')
    p.add_argument('--nonlin', choices=('tanh', 'relu', 'identity'), default='tanh')
    p.add_argument('--seed', type=int, default=0, help="seed of trainscape's native generator")
    p.add_argument('--window', type=float, nargs=4, default=(-3.0, 6.0, -3.0, 6.0),
                   metavar=('XLO', 'XHI', 'YLO', 'YHI'),
                   help='log10 window: x = learning rate of W0 (columns), y = of W1 (rows)')
    p.add_argument('--out', help='save the res x res measure image (row 0 = y_min) as .npy')
    p.add_argument('--blas-info', action='store_true',
                   help='only report which BLAS library this process uses, and exit')
    return p


REFERENCE_BLAS = re.compile(r'/blas/libblas\.so')


def mapped_blas_libraries():
    """Paths of the BLAS-like libraries mapped into this process, in the order they appear."""
    libs = []
    with open('/proc/self/maps') as maps:
        for line in maps:
            fields = line.split(None, 5)
            if len(fields) < 6:
                continue
            path = fields[5].strip()
            if re.search(r'blas|blis|mkl|atlas', os.path.basename(path), re.I) and path not in libs:
                libs.append(path)
    return libs


def blas_kind(libs):
    """'reference' (Debian's netlib BLAS), 'openblas', 'mkl', 'blis', 'atlas', 'unknown' or 'none'."""
    if any(REFERENCE_BLAS.search(p) for p in libs):
        return 'reference'
    for kind in ('openblas', 'mkl', 'blis', 'atlas'):
        if any(kind in os.path.basename(p).lower() for p in libs):
            return kind
    return 'unknown' if libs else 'none'


def reference_description(libs, tail):
    """The description of a process on Debian's reference BLAS."""
    path = next(p for p in libs if REFERENCE_BLAS.search(p))
    return f"{path} (Debian's reference BLAS: netlib, unoptimised) {tail}"
