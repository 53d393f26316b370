#!/usr/bin/env python3
"""An independent NumPy implementation of docs/optimizers.md, checked against the trainscape binary.

For each case below, runs `trainscape zoom` (one 16 x 16 frame, both engines), reads the problem
(X, Y, initial weights) and the frame's window and measures from run.h5 with h5dump, then trains a
few pixels of the frame here, in float64 NumPy, from the written definitions: the network of
docs/model.md, the optimizers, weight decay and schedules of docs/optimizers.md and the
convergence measure of docs/model.md#convergence-measure. Every checked pixel must have the same
class, and its measure must agree to 1e-9 relative (reference engine) or 1e-6 (batched engine;
rounding differs there). Pixels are taken away from the boundary's chaos: the measure's sign is
compared everywhere, the value on pixels whose loss ratios stay bounded.

Usage: numpy_optimizers.py TRAINSCAPE_BINARY WORK_DIR   (run by ctest as numpy_optimizers)
"""
import math
import os
import re
import subprocess
import sys

import numpy as np

CASES = {
    "gd_decay_cosine": ("optimizer: gd, weight_decay: 0.01, schedule: cosine",
                        "kind: lr_vs_lr, x: [-1.5, 0.8], y: [-1.5, 0.8]"),
    "momentum_axis": ("optimizer: momentum, lr: 0.3",
                      "kind: axes, x_param: momentum, x_scale: linear, y_param: lr, x: [0.0, 0.95], y: [-1.5, 0.8]"),
    "nesterov_warmup": ("optimizer: nesterov, momentum: 0.8, schedule: warmup_cosine, warmup_steps: 10",
                        "kind: axes, x_param: lr.0, y_param: lr.1, x: [-1.5, 0.8], y: [-1.5, 0.8]"),
    "adam_beta1": ("optimizer: adam, lr: 0.05",
                   "kind: axes, x_param: adam_beta1, x_scale: linear, y_param: lr, x: [0.0, 0.95], y: [-3, 0]"),
    "adamw_decay": ("optimizer: adamw, adam_beta2: 0.99",
                    "kind: axes, x_param: weight_decay, y_param: lr, x: [-3, 0.5], y: [-3, 0]"),
    "adam_eps": ("optimizer: adam, lr: 0.1",
                 "kind: axes, x_param: adam_eps, y_param: adam_beta2, y_scale: linear, x: [-8, 0], y: [0.5, 0.999]"),
    "init_scale": ("optimizer: gd",
                   "kind: axes, x_param: init_scale, y_param: lr, x: [-1, 1], y: [-1.5, 0.8]"),
    "offset_every_step": ("optimizer: momentum, momentum: 0.5",
                          "kind: axes, x_param: init_offset_every_step, x_scale: linear, y_param: lr,"
                          " x: [-0.3, 0.3], y: [-1.5, 0.5]"),
}
STEPS = 40
DEPTH = {"nesterov_warmup": 3}
PIXELS = [(0, 0), (3, 12), (7, 7), (10, 2), (15, 15), (12, 9)]


def h5(path, obj, attr=False):
    """A dataset (or attribute) of run.h5 as a float array, through h5dump's plain text."""
    args = ["h5dump", "-m", "%.17g", "-a" if attr else "-d", obj, "-y", "-w", "0", path]
    text = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    body = text[text.index("DATA {") + 6: text.rindex("}")]
    body = re.sub(r"\(\d+(,\d+)*\):", " ", body)
    return np.array([float(v) for v in re.findall(r"[-+0-9.eEinfaINFA]+", body) if v.strip(",")])


def shape_of(path, obj):
    text = subprocess.run(["h5dump", "-H", "-d", obj, path], check=True, capture_output=True, text=True).stdout
    dims = re.search(r"DATASPACE\s+SIMPLE\s+\{\s*\(\s*([0-9, ]+)\)", text).group(1)
    return tuple(int(v) for v in dims.split(","))


def schedule(kind, t, steps, warmup):
    if kind == "cosine":
        return 0.5 * (1 + math.cos(math.pi * (t - 1) / steps))
    if kind == "warmup_cosine":
        return t / warmup if t <= warmup else 0.5 * (1 + math.cos(math.pi * (t - warmup - 1) / (steps - warmup)))
    return 1.0


def train(X, Y, weights, h, opt):
    """The loss curve of docs/model.md's network (tanh) trained per docs/optimizers.md."""
    W = [w * h["init_scale"] for w in weights]
    W[0] = W[0] + h["init_offset"]
    L = len(W)
    b = [np.zeros_like(w) for w in W]
    m = [np.zeros_like(w) for w in W]
    v = [np.zeros_like(w) for w in W]
    losses = []
    for t in range(1, STEPS + 1):
        W[0] = W[0] + h["step_offset"]
        inputs, pre = [X], []
        for l in range(L - 1):
            z = inputs[-1] @ W[l] / math.sqrt(W[l].shape[0])
            pre.append(z)
            inputs.append(np.tanh(math.sqrt(2) * z))
        out = inputs[-1] @ W[-1] / W[-1].shape[0]
        losses.append(np.mean((out - Y) ** 2))
        delta = 2 * (out - Y) / out.size
        grads = [None] * L
        for l in range(L - 1, -1, -1):
            s = 1.0 / W[l].shape[0] if l == L - 1 else 1.0 / math.sqrt(W[l].shape[0])
            grads[l] = s * inputs[l].T @ delta
            if l:
                d_in = s * delta @ W[l].T
                delta = d_in * math.sqrt(2) * (1 - inputs[l] ** 2)
        f = schedule(opt["schedule"], t, STEPS, opt["warmup"])
        for l in range(L):
            r = h["lr"][l] * f
            g = grads[l]
            wd = h["weight_decay"]
            if opt["optimizer"] != "adamw":
                g = g + wd * W[l]
            if opt["optimizer"] == "gd":
                W[l] = W[l] - r * g
            elif opt["optimizer"] in ("momentum", "nesterov"):
                b[l] = h["momentum"] * b[l] + g
                step = b[l] if opt["optimizer"] == "momentum" else g + h["momentum"] * b[l]
                W[l] = W[l] - r * step
            else:
                if opt["optimizer"] == "adamw":
                    W[l] = W[l] * (1 - r * wd)
                b1, b2 = h["adam_beta1"], h["adam_beta2"]
                m[l] = b1 * m[l] + (1 - b1) * g
                v[l] = b2 * v[l] + (1 - b2) * g * g
                W[l] = W[l] - r * (m[l] / (1 - b1 ** t)) / (np.sqrt(v[l] / (1 - b2 ** t)) + h["adam_eps"])
    return np.array(losses)


def measure(losses):
    """docs/model.md#convergence-measure."""
    clamp = 1e6
    l0 = losses[0] if np.isfinite(losses[0]) else clamp
    vals = []
    for loss in losses:
        finite = np.isfinite(loss)
        ratio = (loss if finite else clamp) / l0
        x = ratio if ratio < clamp else clamp
        if not finite and x < 1:
            x = 1.0
        vals.append(x)
    vals = np.array(vals)
    tail = min(len(vals), 20)
    converged = vals[-tail:].mean() < 1
    return (-vals.sum() if converged else (1 / vals).sum()), converged, vals.max()


def axis_hyper(name, value, h, depth):
    if name == "lr":
        h["lr"] = [value] * depth
    elif name == "lr.even":
        h["lr"] = [value if l % 2 == 0 else h["lr"][l] for l in range(depth)]
    elif name == "lr.odd":
        h["lr"] = [value if l % 2 == 1 else h["lr"][l] for l in range(depth)]
    elif name.startswith("lr."):
        h["lr"][int(name[3:])] = value
    elif name == "init_offset_every_step":
        h["step_offset"] = value
    else:
        h[name] = value


def main():
    binary, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    failures = 0
    for case, (training, phase) in CASES.items():
        depth = DEPTH.get(case, 2)
        config = (f"model: {{width: 4, depth: {depth}}}\ndata: {{size: 12, seed: 3}}\n"
                  f"training: {{steps: {STEPS}, {training}}}\nphase_space: {{{phase}}}\n"
                  "render: {resolution: 16}\nzoom: {frames: 1}\nruntime: {threads: 1}\n")
        path = os.path.join(work, case + ".yaml")
        with open(path, "w") as f:
            f.write(config)
        opt = dict(re.findall(r"(\w+): ([\w.\-]+)", training))
        opt = {"optimizer": opt.get("optimizer", "gd"), "schedule": opt.get("schedule", "constant"),
               "warmup": int(opt.get("warmup_steps", 0)), **opt}
        ph = dict(re.findall(r"(\w+): ([\w.\-]+)", phase))
        kind = ph["kind"]
        xp, yp = {"lr_vs_lr": ("lr.even", "lr.odd")}.get(kind, (ph.get("x_param"), ph.get("y_param")))
        xs, ys = ph.get("x_scale", "log10"), ph.get("y_scale", "log10")
        for engine, tolerance in (("reference", 1e-9), ("batched", 1e-6)):
            out = os.path.join(work, case + "_" + engine)
            subprocess.run([binary, "zoom", path, "--out", out, "--engine", engine, "--overwrite", "-q"],
                           check=True, capture_output=True)
            run = os.path.join(out, "run.h5")
            X = h5(run, "/problem/X").reshape(shape_of(run, "/problem/X"))
            Y = h5(run, "/problem/Y").reshape(shape_of(run, "/problem/Y"))
            weights = [h5(run, f"/problem/weights/{l}").reshape(shape_of(run, f"/problem/weights/{l}"))
                       for l in range(depth)]
            got = h5(run, "/frames/000000/measure").reshape(16, 16)
            centre = [h5(run, "/frames/000000/centre_" + a, attr=True)[0] for a in "xy"]
            half = [h5(run, "/frames/000000/half_" + a, attr=True)[0] for a in "xy"]
            for row, col in PIXELS:
                coords = [half[0] * (2 * col - 15) / 15, half[1] * (2 * row - 15) / 15]
                values = [c + o if s == "linear" else 10 ** c * 10 ** o
                          for c, o, s in zip(centre, coords, (xs, ys))]
                lr = opt.get("lr", "0.1")
                h = {"lr": [float(lr)] * depth, "init_scale": 1.0, "init_offset": 0.0, "step_offset": 0.0,
                     "momentum": float(opt.get("momentum", 0.9)), "adam_beta1": float(opt.get("adam_beta1", 0.9)),
                     "adam_beta2": float(opt.get("adam_beta2", 0.999)), "adam_eps": float(opt.get("adam_eps", 1e-8)),
                     "weight_decay": float(opt.get("weight_decay", 0.0))}
                axis_hyper(xp, values[0], h, depth)
                axis_hyper(yp, values[1], h, depth)
                with np.errstate(all="ignore"):
                    want, converged, peak = measure(train(X, Y, weights, h, opt))
                have = got[row, col]
                ok = (have < 0) == converged
                if peak < 1e3:  # a bounded run is not chaotic: its value must agree too
                    ok = ok and abs(have - want) <= tolerance * abs(want)
                checked = "class and value" if peak < 1e3 else "class"
                print(f"{case} {engine} pixel ({row}, {col}) x={values[0]:.6g} y={values[1]:.6g}: "
                      f"numpy {want:.12g} trainscape {have:.12g} ({checked}) {'ok' if ok else 'MISMATCH'}")
                failures += not ok
    print(f"{failures} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
