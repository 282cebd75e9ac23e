"""derive.verify against the peer gradient checkers on the two-layer network (issue 5).

X @ W1 + B1 -> sigmoid -> @ W2 + B2 -> MSE, float64, at (n, d, h) = (256, 13, 13) and
(1024, 13, 64), each tool on the same point with the same hand-written backward (torch and jax
check their own autodiff, which is what they can do). Every library runs on one thread:
OMP/MKL/OpenBLAS variables are set below before numpy, torch or jax is imported, and
torch.set_num_threads(1). Times are medians of REPEATS runs after one warm-up call.

Also: the symbolic work (trace, derive by rules, compile) at n = 10, 10^3, 10^5, and the
compiled gradient against the hand-written backward at n = 10^4.

Run: .venv/bin/python benchmarks/peers.py   (peers from the optional extra: pip install
-e .[bench]; a missing peer is reported as such). Not part of the test suite.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false "
                      "intra_op_parallelism_threads=1")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import importlib  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

V = importlib.import_module("derive.verify")

SIZES = ((256, 13, 13), (1024, 13, 64))
REPEATS = 7
SLOW_REPEATS = 3  # for tools taking seconds per call
BUG = (3, 7)  # W1[3, 7] += 1e-3
BUG_SIZE = 1e-3


# ---------------------------------------------------------------- the network


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def forward(X, y, W1, B1, W2, B2):
    M1 = X @ W1
    N1 = M1 + B1
    O1 = sigmoid(N1)
    M2 = O1 @ W2
    P = M2 + B2
    return np.mean((y - P) ** 2)


def backward(X, y, W1, B1, W2, B2):
    N1 = X @ W1 + B1
    O1 = sigmoid(N1)
    P = O1 @ W2 + B2
    dLdP = -2 * (y - P) / y.shape[0]
    dLdN1 = (dLdP @ W2.T) * O1 * (1 - O1)
    return {"W1": X.T @ dLdN1, "B1": dLdN1.sum(axis=0, keepdims=True),
            "W2": O1.T @ dLdP, "B2": dLdP.sum(axis=0, keepdims=True)}


def backward_bug(**kw):
    g = backward(**kw)
    g["W1"] = g["W1"].copy()
    g["W1"][BUG] += BUG_SIZE
    return g


def shapes(n: int, d: int, h: int) -> dict[str, tuple[int, ...]]:
    return {"X": (n, d), "y": (n, 1), "W1": (d, h), "B1": (1, h), "W2": (h, 1), "B2": (1, 1)}


def point(n: int, d: int, h: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {k: rng.standard_normal(s) for k, s in shapes(n, d, h).items()}


PARAMS = ("W1", "B1", "W2", "B2")


def median_time(f: Callable[[], Any], repeats: int = REPEATS) -> float:
    f()  # warm-up (jit, caches)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


# ---------------------------------------------------------------- the tools


def run_derive(n, d, h, fd="sample", points=3):
    sh = shapes(n, d, h)

    def call(bw=backward):
        return V.verify(forward, bw, shapes=sh, fd=fd, prove=False, points=points)

    located = call(backward_bug).gradients["W1"].entries == [BUG]
    return median_time(call), located


def run_torch(n, d, h, fast: bool):
    import torch

    torch.set_num_threads(1)
    p = point(n, d, h)
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=k in PARAMS) for k, v in p.items()}

    def f(W1, B1, W2, B2):
        O1 = torch.sigmoid(t["X"] @ W1 + B1)
        return torch.mean((t["y"] - (O1 @ W2 + B2)) ** 2)

    args = tuple(t[k] for k in PARAMS)

    def call():
        return torch.autograd.gradcheck(f, args, fast_mode=fast)

    return median_time(call, SLOW_REPEATS if not fast and n > 256 else REPEATS), None


def run_jax(n, d, h):
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    from jax.test_util import check_grads

    p = point(n, d, h)
    X, y = jnp.asarray(p["X"]), jnp.asarray(p["y"])

    def f(W1, B1, W2, B2):
        O1 = jax.nn.sigmoid(X @ W1 + B1)
        return jnp.mean((y - (O1 @ W2 + B2)) ** 2)

    args = tuple(jnp.asarray(p[k]) for k in PARAMS)
    t0 = time.perf_counter()
    check_grads(f, args, order=1, modes=["rev"])
    first = time.perf_counter() - t0
    return median_time(lambda: check_grads(f, args, order=1, modes=["rev"])), None, first


def _flat(p):
    return np.concatenate([p[k].ravel() for k in PARAMS])


def _unflat(theta, p):
    out, i = dict(p), 0
    for k in PARAMS:
        size = p[k].size
        out[k] = theta[i:i + size].reshape(p[k].shape)
        i += size
    return out


def run_scipy(n, d, h):
    from scipy.optimize import check_grad

    p = point(n, d, h)
    theta = _flat(p)

    def fun(th):
        return forward(**_unflat(th, p))

    def grad(th, bw=backward):
        g = bw(**_unflat(th, p))
        return np.concatenate([g[k].ravel() for k in PARAMS])

    return median_time(lambda: check_grad(fun, grad, theta)), None


def run_numdifftools(n, d, h):
    import numdifftools as nd

    p = point(n, d, h)
    theta = _flat(p)

    def fun(th):
        return forward(**_unflat(th, p))

    reps = SLOW_REPEATS if n > 256 else REPEATS
    return median_time(lambda: nd.Gradient(fun)(theta), reps), None


# ---------------------------------------------------------------- the other measurements


def symbolic_times() -> list[tuple[int, float]]:
    """Trace + derive by rules + compile, per n (the cache cleared, lambdify warm)."""
    out = []
    for n in (10, 1000, 100000):
        importlib.import_module("derive.verify.derivation")._CACHE.clear()
        t = time.perf_counter()
        V.derivation(forward, shapes(n, 13, 64), PARAMS)
        out.append((n, time.perf_counter() - t))
    return out


def compiled_vs_hand(n: int = 10_000, repeats: int = 41) -> tuple[float, float]:
    p = point(n, 13, 64)
    code = V.derivation(forward, shapes(n, 13, 64), PARAMS).code
    a, b = [], []
    for _ in range(repeats):  # interleaved: machine noise hits both alike
        t = time.perf_counter()
        code.backward(**p)
        a.append(time.perf_counter() - t)
        t = time.perf_counter()
        backward(**p)
        b.append(time.perf_counter() - t)
    return statistics.median(a), statistics.median(b)


# What each peer says about a wrong gradient (torch and jax check their own autodiff; scipy and
# numdifftools return one number or the gradient): none names the wrong entry.
NOTES = {
    "torch gradcheck, default (per entry)": "no: flattened Jacobians, stops at the first bad input",
    "torch gradcheck fast_mode": "no: random directions only",
    "jax check_grads (after first call)": "no: random directions only",
    "scipy check_grad": "no: one error norm, no tolerance",
    "numdifftools Gradient": "no: returns a gradient to compare yourself",
}


def fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def main() -> None:
    V.derivation(forward, shapes(8, 13, 4), PARAMS)  # lambdify warm-up, once per process
    rows = []
    for n, d, h in SIZES:
        p = point(n, d, h)
        one = median_time(lambda p=p: forward(**p), 51)
        size = (n, d, h)
        tools: list[tuple[str, Callable[..., tuple], tuple]] = [
            ("derive.verify (default: fd sample, 3 points)", run_derive, size),
            ("derive.verify, 1 point (as gradcheck: one point)", run_derive, (*size, "sample", 1)),
            ("derive.verify --fd all", run_derive, (*size, "all")),
            ("torch gradcheck, default (per entry)", run_torch, (*size, False)),
            ("torch gradcheck fast_mode", run_torch, (*size, True)),
            ("jax check_grads (after first call)", run_jax, size),
            ("scipy check_grad", run_scipy, size),
            ("numdifftools Gradient", run_numdifftools, size),
        ]
        results = []
        for name, run, args in tools:
            try:
                r = run(*args)
            except ImportError as exc:
                results.append((name, None, f"not installed ({exc.name})"))
                continue
            loc = ("yes, by index" if r[1] else "NO") if r[1] is not None else NOTES[name]
            if len(r) > 2:
                loc += f"; first call {fmt(r[2])}"
            results.append((name, r[0], loc))
        ref = results[0][1]
        rows.append(((n, d, h), one, results, ref))
    print("one thread (OMP/MKL/OpenBLAS_NUM_THREADS=1, torch.set_num_threads(1), XLA single "
          f"thread); medians of {REPEATS} runs ({SLOW_REPEATS} for calls over a second)\n")
    print("| tool | size (n, d, h) | median | x one forward | ratio to derive | locates "
          "W1[3, 7] += 1e-3 |")
    print("|---|---|---|---|---|---|")
    for size, one, results, ref in rows:
        print(f"| one numpy forward pass | {size} | {fmt(one)} | 1 | | |")
        for name, t, loc in results:
            if t is None:
                print(f"| {name} | {size} | - | - | - | {loc} |")
                continue
            print(f"| {name} | {size} | {fmt(t)} | {t / one:.0f} | {t / ref:.2g} | {loc} |")
    print("\ntorch gradcheck (default) time / derive.verify time, same function:")
    for size, _, results, _ in rows:
        t = {name: tm for name, tm, _ in results}
        torch_t = t.get("torch gradcheck, default (per entry)")
        if torch_t is None:
            continue
        three = t["derive.verify (default: fd sample, 3 points)"]
        one = t["derive.verify, 1 point (as gradcheck: one point)"]
        print(f"  {size}: {torch_t / three:.0f}x at 3 points, {torch_t / one:.0f}x at one point")
    print("\nsymbolic work (trace, derive by rules, compile), (n, 13, 64):")
    for n, t in symbolic_times():
        print(f"  n = {n:>6}: {fmt(t)}")
    a, b = compiled_vs_hand()
    print(f"\ncompiled gradient vs hand-written backward at n = 10^4: {fmt(a)} vs {fmt(b)} "
          f"(ratio {a / b:.2f}, medians of 41 interleaved runs)")


if __name__ == "__main__":
    main()
