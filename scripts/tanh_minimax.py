#!/usr/bin/env python3
"""Coefficients of the float64 polynomial in include/trainscape/detail/simd_tanh.hpp.

P(r) approximates (expm1(r) - r) / r^2 on the reduced range [-ln2/2, ln2/2] (widened by a
relative 2^-20 so that rounding in the reduction never leaves it). The Remez exchange below
minimises the maximum relative error of P at 200-bit precision, then the coefficients are rounded
to double and the error is re-measured on a fine grid. Prints, per degree, the minimax error and
the error with double coefficients, then the coefficients from the highest power down (the order
TanhConstants<double>::c uses). A maintainer's tool, not part of the build: needs python3-mpmath
(Debian package) and takes a few minutes.

usage: scripts/tanh_minimax.py [degree ...]   (default: 9 10)
"""
import sys

import mpmath as mp

mp.mp.prec = 200
HALF_RANGE = mp.log(2) / 2 * (1 + mp.mpf(2) ** -20)


def target(r):
    if abs(r) < mp.mpf(10) ** -30:
        return mp.mpf(1) / 2 + r / 6
    return (mp.expm1(r) - r) / r ** 2


def relative_error(coeffs, r):
    return (mp.polyval(coeffs[::-1], r) - target(r)) / target(r)


def remez(degree, iterations=12, grid_points=4000):
    n = degree + 2
    nodes = [HALF_RANGE * mp.cos(mp.pi * (n - 1 - i) / (n - 1)) for i in range(n)]
    grid = [-HALF_RANGE + 2 * HALF_RANGE * i / grid_points for i in range(grid_points + 1)]
    coeffs, worst = None, None
    for _ in range(iterations):
        # p(x_i) - f(x_i) = (-1)^i E f(x_i): equioscillating relative error at the nodes
        A = mp.matrix(n, n)
        b = mp.matrix(n, 1)
        for i, x in enumerate(nodes):
            for j in range(degree + 1):
                A[i, j] = x ** j
            A[i, degree + 1] = (-1) ** i * target(x)
            b[i] = target(x)
        solution = mp.lu_solve(A, b)
        coeffs = [solution[j] for j in range(degree + 1)]
        errors = [relative_error(coeffs, x) for x in grid]
        worst = max(abs(e) for e in errors)
        # new nodes: the local extrema of the error, one per sign change
        extrema = []
        for i, e in enumerate(errors):
            left = errors[i - 1] if i > 0 else None
            right = errors[i + 1] if i + 1 < len(errors) else None
            if (left is None or abs(e) >= abs(left)) and (right is None or abs(e) >= abs(right)):
                if extrema and mp.sign(extrema[-1][1]) == mp.sign(e):
                    if abs(e) > abs(extrema[-1][1]):
                        extrema[-1] = (grid[i], e)
                else:
                    extrema.append((grid[i], e))
        while len(extrema) > n:
            extrema.pop(0 if abs(extrema[0][1]) < abs(extrema[-1][1]) else -1)
        if len(extrema) == n:
            nodes = [x for x, _ in extrema]
    return coeffs, worst


def main():
    degrees = [int(a) for a in sys.argv[1:]] or [9, 10]
    for degree in degrees:
        coeffs, worst = remez(degree)
        rounded = [float(c) for c in coeffs]
        fine = [-HALF_RANGE + 2 * HALF_RANGE * i / 20000 for i in range(20001)]
        worst_rounded = max(abs(relative_error([mp.mpf(c) for c in rounded], x)) for x in fine)
        print("degree %d: minimax relative error 2^%.1f, with double coefficients 2^%.1f"
              % (degree, float(mp.log(worst, 2)), float(mp.log(worst_rounded, 2))))
        print("  highest power first:", ", ".join(repr(c) for c in reversed(rounded)))


if __name__ == "__main__":
    main()
