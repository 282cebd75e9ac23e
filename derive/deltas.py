"""Per-entry central differences of a traced forward on every entry at once, along its graph.

Finite differences on every entry cost two forward passes per entry. The traced graph knows
more than a black-box forward: perturbing one entry W1[i, j] changes only column j of
X @ W1, and only that column of everything elementwise after it. So the perturbed forwards
are evaluated together (a batch of B perturbations) and each node carries only its change,
on the slice that changes: ``fixed`` axes pinned to one index per perturbation, the other
axes ``free``. A matrix product turns a pinned entry into a pinned column, a sum removes an
axis, an elementwise step keeps the slice. Where a pattern is not covered the change becomes
dense (all entries, per perturbation); an operation not covered at all raises
:class:`Unsupported`, and the caller falls back to differences of the user's forward.

The values are those of the traced forward, which :func:`derive.verify.verify` has checked
equal to the user's own forward at every point (to 1e-8, relative) before this is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from derive import expr as E
from derive.compile import namespace
from derive.graph import Graph
from derive.numeric import fd
from derive.numeric import functions as nf
from derive.printers import NumpyPrinter

# The most float64 values a dense change may hold at once (B perturbations x node size):
# 4M values = 32 MB per array; the batch is halved until it fits.
DENSE_BUDGET = 1 << 22

# Perturbations evaluated together at most.
BATCH = 256

ELEMENTWISE = frozenset({"add", "sub", "mul", "div", "neg", "pow", "fn", "maximum", "minimum",
                         "logaddexp", "where"})


class Unsupported(Exception):
    """The graph has an operation (or a pattern) this engine does not propagate."""


class _TooBig(Exception):
    """A dense change would not fit DENSE_BUDGET at this batch size."""


@dataclass
class _Delta:
    """The change of one node's value under each of B perturbations."""

    fixed: dict[int, np.ndarray]  # axis -> index per perturbation, shape (B,)
    vals: np.ndarray  # (B,) + the sizes of the free axes, in axis order

    @property
    def batch(self) -> int:
        return self.vals.shape[0]


class Evaluator:
    """The graph's nodes as numpy functions of their arguments (compiled once per graph)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.order = E.topological(graph.output)
        used = {tuple(n.attrs) for n in self.order if n.op == "fn"}
        self.ns = namespace(used)
        self.fns: dict[int, Any] = {}
        for n in self.order:
            if n.is_leaf:
                continue
            names = [f"a{i}" for i in range(len(n.args))]
            holders = tuple(E.leaf(a, x.shape) for a, x in zip(names, n.args))
            src = NumpyPrinter(self.ns).doprint(E.Node(n.op, holders, n.shape, n.attrs))
            self.fns[n.uid] = eval(f"lambda {', '.join(names)}: {src}", self.ns)  # noqa: S307

    def base(self, point: Mapping[str, np.ndarray]) -> dict[int, Any]:
        env: dict[int, Any] = {}
        with np.errstate(all="ignore"):
            for n in self.order:
                if n.op == "input":
                    v = np.asarray(point[n.name])  # labels and masks keep their dtype
                    env[n.uid] = v if v.dtype.kind in "biu" else v.astype(np.float64)
                elif n.op == "const":
                    env[n.uid] = E.const_value(n)
                elif n.op in ("dim", "nnz"):  # sizes: their values at this point
                    env[n.uid] = n.attrs.value
                elif n.is_leaf:
                    raise Unsupported(f"a {n.op} leaf in a forward graph")
                else:
                    env[n.uid] = self.fns[n.uid](*(env[a.uid] for a in n.args))
        return env


def work(ev: Evaluator, name: str) -> int:
    """Multiply-adds one perturbation of input ``name`` costs at most, dense: every node that
    depends on it, a product counted with its inner size. What a sample of entries of a deep
    network's first layer costs, before paying it."""
    leaf = ev.graph.inputs[name]
    live = {leaf.uid}
    total = 0
    for n in ev.order:
        if n.is_leaf or not any(a.uid in live for a in n.args):
            continue
        live.add(n.uid)
        inner = n.args[0].shape[-1] if n.op == "matmul" and n.args[0].shape else 1
        total += int(n.size) * int(inner)
    return max(total, 1)


def central_differences(ev: Evaluator, point: Mapping[str, np.ndarray], name: str,
                        flat: np.ndarray, rel_step: float) -> np.ndarray:
    """Central differences (f(x + h e_i) - f(x - h e_i)) / (2h) at the flat ``indices`` of
    input ``name``, with the steps and quotient of :mod:`numeric.fd` (one rule for every
    difference: h = rel_step * max(FD_STEP_FLOOR, |x_i|), denominators exactly representable)."""
    env = ev.base(point)
    leaf = ev.graph.inputs[name]
    x = np.asarray(point[name], dtype=np.float64)
    flat = np.asarray(flat, dtype=np.int64)
    out = np.empty(flat.shape[0])
    batch = BATCH
    start = 0
    while start < flat.shape[0]:
        chunk = flat[start:start + batch]
        xi = x.reshape(-1)[chunk]
        h = fd.steps(xi, rel_step)
        up, down = xi + h, xi - h
        try:
            plus = _propagate(ev, env, leaf, x.shape, chunk, up - xi)
            minus = _propagate(ev, env, leaf, x.shape, chunk, down - xi)
        except _TooBig:
            if batch == 1:
                raise Unsupported("a single perturbation does not fit the memory budget") \
                    from None
            batch = max(1, batch // 2)
            continue
        out[start:start + chunk.shape[0]] = fd.quotient(plus, minus, up, down)
        start += chunk.shape[0]
    return out


def _propagate(ev: Evaluator, env: dict[int, Any], leaf: E.Node, shape: tuple[int, ...],
               flat: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """f(x + steps_b e_{flat_b}) - f(x) for each b, through the graph."""
    idx = np.unravel_index(flat, shape) if shape else ()
    deltas: dict[int, _Delta | None] = {}
    with np.errstate(all="ignore"):
        for n in ev.order:
            if n is leaf:
                deltas[n.uid] = _Delta(dict(enumerate(np.asarray(i) for i in idx)),
                                       np.asarray(steps, dtype=np.float64))
            elif n.is_leaf or n.op == "ones":
                deltas[n.uid] = None
            else:
                ds = [deltas[a.uid] for a in n.args]
                deltas[n.uid] = None if all(d is None for d in ds) else \
                    _step(ev, env, n, ds)
    d = deltas[ev.graph.output.uid]
    if d is None:
        return np.zeros(flat.shape[0])
    return _dense(d, ev.graph.output.shape).reshape(d.batch)


# ---------------------------------------------------------------- one node


def _step(ev: Evaluator, env: dict[int, Any], n: E.Node, ds: list[_Delta | None]) -> _Delta:
    if n.op in ELEMENTWISE:
        return _elementwise(ev, env, n, ds)
    if n.op == "matmul":
        return _matmul(env, n, ds)
    if len(ds) != 1 or ds[0] is None:
        raise Unsupported(f"{n.op} with a perturbed argument")
    d = ds[0]
    a = n.args[0]
    if n.op == "transpose":
        return _transpose(d, n.attrs.perm, len(a.shape))
    if n.op in ("sum", "mean"):
        axes, keep = n.attrs
        axes = tuple(range(len(a.shape))) if axes is None else axes
        out = _reduce(d, a.shape, axes, keep)
        if n.op == "mean":
            count = int(np.prod([a.shape[i] for i in axes], dtype=np.int64))
            out = _Delta(out.fixed, out.vals / count)
        return out
    if n.op == "sum_to":
        src, dst = a.shape, n.shape
        lead = len(src) - len(dst)
        if lead:
            d = _reduce(d, src, tuple(range(lead)), False)
            src = src[lead:]
        keep = tuple(i for i, s in enumerate(dst) if s == 1 and src[i] != 1)
        return _reduce(d, src, keep, True) if keep else d
    if n.op == "broadcast_to":
        return _to_shape(d, a.shape, n.shape)
    if n.op == "reshape":
        return _Delta({}, _dense(d, a.shape).reshape((d.batch,) + n.shape))
    if n.op in ("softmax", "log_softmax"):  # every entry of a fiber moves: dense
        f = FD_FORMS[n.op]
        base = np.asarray(env[a.uid], dtype=np.float64)
        moved = f(base[None] + _dense(d, a.shape), axis=1 + n.attrs.axis)
        return _Delta({}, moved - np.asarray(env[n.uid])[None])
    raise Unsupported(f"{n.op} with a perturbed argument")


FD_FORMS = {"softmax": nf.softmax, "log_softmax": nf.log_softmax}  # their stable numpy forms


def _gather(arr: Any, fixed: dict[int, np.ndarray], shape: tuple[int, ...]) -> np.ndarray:
    """arr (broadcast to shape) on the slice of each perturbation: (B or 1,) + free sizes."""
    a = np.broadcast_to(np.asarray(arr), shape)
    if not fixed:
        return a[None]
    axes = sorted(fixed)
    moved = np.moveaxis(a, axes, list(range(len(axes))))
    return moved[tuple(fixed[x] for x in axes)]


def _to_shape(d: _Delta, src: tuple[int, ...], dst: tuple[int, ...]) -> _Delta:
    """The change of an argument of shape src as seen in a result of shape dst (broadcast)."""
    off = len(dst) - len(src)
    fixed = {}
    for a, i in d.fixed.items():
        if not (src[a] == 1 and dst[a + off] != 1):
            fixed[a + off] = i
    sizes = []
    for o in range(len(dst)):
        if o in fixed:
            continue
        a = o - off
        sizes.append(src[a] if a >= 0 and a not in d.fixed else 1)
    vals = d.vals.reshape((d.batch,) + tuple(sizes))
    free = tuple(dst[o] for o in range(len(dst)) if o not in fixed)
    return _Delta(fixed, np.broadcast_to(vals, (d.batch,) + free))


def _dense(d: _Delta, shape: tuple[int, ...]) -> np.ndarray:
    """The change as a full array per perturbation: (B,) + shape."""
    if not d.fixed:
        return np.broadcast_to(d.vals, (d.batch,) + tuple(shape))
    if d.batch * max(1, int(np.prod(shape, dtype=np.int64))) > DENSE_BUDGET:
        raise _TooBig
    out = np.zeros((d.batch,) + tuple(shape))
    axes = sorted(d.fixed)
    moved = np.moveaxis(out, [1 + a for a in axes], list(range(1, 1 + len(axes))))
    moved[(np.arange(d.batch),) + tuple(d.fixed[a] for a in axes)] = d.vals
    return out


def _same_fixed(a: dict[int, np.ndarray], b: dict[int, np.ndarray]) -> bool:
    return a.keys() == b.keys() and all(a[k] is b[k] or np.array_equal(a[k], b[k]) for k in a)


def _elementwise(ev: Evaluator, env: dict[int, Any], n: E.Node,
                 ds: list[_Delta | None]) -> _Delta:
    shape = n.shape
    moved = [None if d is None else _to_shape(d, a.shape, shape) for a, d in zip(n.args, ds)]
    live = [d for d in moved if d is not None]
    fixed = live[0].fixed
    if len(live) == 1 and n.op in ("add", "sub", "neg", "mul", "div"):  # linear in the change
        (d,) = live
        i = next(k for k, x in enumerate(moved) if x is not None)
        if n.op == "add" or (n.op == "sub" and i == 0):
            return d
        if n.op in ("sub", "neg"):
            return _Delta(fixed, -d.vals)
        other = _gather(env[n.args[1 - i].uid], fixed, shape)
        if n.op == "mul":
            return _Delta(fixed, d.vals * other)
        if i == 0:
            return _Delta(fixed, d.vals / other)
    if any(not _same_fixed(fixed, d.fixed) for d in live[1:]):
        fixed = {}
        moved = [None if d is None else _Delta({}, _dense(d, shape)) for d in moved]
    elif not fixed and live[0].batch * max(1, n.size) > DENSE_BUDGET:
        raise _TooBig
    args = []
    for a, d in zip(n.args, moved):
        base = _gather(env[a.uid], fixed, shape)
        args.append(base if d is None else base + d.vals)
    new = ev.fns[n.uid](*args)
    return _Delta(fixed, np.asarray(new, dtype=np.float64) - _gather(env[n.uid], fixed, shape))


def _matmul(env: dict[int, Any], n: E.Node, ds: list[_Delta | None]) -> _Delta:
    a, b = n.args
    da, db = ds
    if len(a.shape) != 2 or len(b.shape) != 2:
        raise Unsupported("matmul of arrays that are not matrices, with a perturbed argument")
    A, W = env[a.uid], env[b.uid]
    rows, cols = n.shape
    if da is not None and db is not None:
        B = da.batch
        if B * max(a.size, b.size, n.size) > DENSE_BUDGET:
            raise _TooBig
        new = (A + _dense(da, a.shape)) @ (W + _dense(db, b.shape))
        return _Delta({}, new - env[n.uid])
    if db is not None:  # A @ (W + dW)
        f, v = db.fixed, db.vals
        if set(f) == {0, 1}:
            return _Delta({1: f[1]}, A.T[f[0]] * v[:, None])
        if set(f) == {1}:
            return _Delta({1: f[1]}, v @ A.T)
        if v.shape[0] * rows * cols > DENSE_BUDGET:
            raise _TooBig
        if set(f) == {0}:
            return _Delta({}, A.T[f[0]][:, :, None] * v[:, None, :])
        return _Delta({}, A @ v)
    assert da is not None  # (A + dA) @ W
    f, v = da.fixed, da.vals
    if set(f) == {0, 1}:
        return _Delta({0: f[0]}, W[f[1]] * v[:, None])
    if set(f) == {0}:
        return _Delta({0: f[0]}, v @ W)
    if v.shape[0] * rows * cols > DENSE_BUDGET:
        raise _TooBig
    if set(f) == {1}:
        return _Delta({}, v[:, :, None] * W[f[1]][:, None, :])
    return _Delta({}, v @ W)


def _transpose(d: _Delta, perm: tuple[int, ...], ndim: int) -> _Delta:
    inverse = {p: o for o, p in enumerate(perm)}  # input axis -> output axis
    fixed = {inverse[a]: i for a, i in d.fixed.items()}
    free_in = [a for a in range(ndim) if a not in d.fixed]
    free_out = [perm[o] for o in range(ndim) if o not in fixed]  # as input axes
    order = [0] + [1 + free_in.index(a) for a in free_out]
    return _Delta(fixed, np.transpose(d.vals, order))


def _reduce(d: _Delta, shape: tuple[int, ...], axes: tuple[int, ...], keep: bool) -> _Delta:
    """Sum over ``axes``: a pinned axis just goes (its one entry is the sum), a free one sums."""
    ndim = len(shape)
    free = [a for a in range(ndim) if a not in d.fixed]
    summed = tuple(1 + free.index(a) for a in axes if a in free)
    vals = d.vals.sum(axis=summed, keepdims=True) if summed else d.vals
    if keep:
        fixed = {a: i for a, i in d.fixed.items() if a not in axes}
        new_free = [a for a in range(ndim) if a not in fixed]
        for a in sorted(set(axes) & set(d.fixed)):
            vals = np.expand_dims(vals, 1 + new_free.index(a))
        return _Delta(fixed, vals)
    vals = vals.reshape((d.batch,) + tuple(shape[a] for a in free if a not in axes))
    fixed = {a - sum(1 for x in axes if x < a): i for a, i in d.fixed.items() if a not in axes}
    return _Delta(fixed, vals)
