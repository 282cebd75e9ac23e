"""Recognize softmax and log-softmax written by hand, along any one axis.

Users write softmax many ways: with or without the max shift, with ``keepdims=True`` or with
``[:, None]`` / ``reshape`` after the reduction, computing ``np.exp(z)`` once or twice. They
all reduce to two shapes, found here structurally (two subexpressions are the same when they
compute the same thing from the same inputs, whatever object holds them):

    exp(v) / Σ_axis exp(v)               -> softmax(u, axis)
    v − log Σ_axis exp(v)                -> log_softmax(u, axis)
    log(softmax(u, axis))                -> log_softmax(u, axis), unless the softmax is a
                                            step the user named (P = ...)

where v is u or u − max_axis(u) (the shift cancels: it changes neither value nor gradient).
"""

from __future__ import annotations

import numpy as np

from derive import expr as E
from derive.expr import Node
from derive.ops.registry import build

# Operations that only put back (or take away) a size-1 axis: x[:, None], x.reshape(n, 1).
_REKEEP = frozenset({"getitem", "reshape", "expand_dims"})


def same(a: Node, b: Node, memo: dict[tuple[int, int], bool] | None = None) -> bool:
    """Whether a and b compute the same thing from the same inputs."""
    if a.uid == b.uid:
        return True
    memo = {} if memo is None else memo
    key = (a.uid, b.uid)
    if key not in memo:
        memo[key] = _same_now(a, b, memo)
    return memo[key]


def _same_now(a: Node, b: Node, memo: dict[tuple[int, int], bool]) -> bool:
    if a.op != b.op or a.shape != b.shape or len(a.args) != len(b.args):
        return False
    if a.op == "const":
        return bool(np.array_equal(E.const_value(a), E.const_value(b)))
    if a.is_leaf:
        return a.name == b.name and _equal(a.attrs, b.attrs)
    return _equal(a.attrs, b.attrs) and all(same(x, y, memo) for x, y in zip(a.args, b.args))


def _equal(x: object, y: object) -> bool:
    try:
        return bool(x == y)
    except (TypeError, ValueError):  # attributes holding arrays: compare by identity
        return x is y


def _strip(n: Node) -> Node:
    """n without an outer step that only adds or removes size-1 axes."""
    if n.op in _REKEEP and len(n.args) == 1 and n.args[0].size == n.size:
        return n.args[0]
    return n


def _kept(shape: tuple[int, ...], full: tuple[int, ...], axis: int) -> bool:
    """A value of ``shape`` broadcasts over ``full`` as one entry per fiber along ``axis``."""
    if len(full) == 1 and shape in ((), (1,)):
        return True
    padded = (1,) * (len(full) - len(shape)) + tuple(shape)
    return padded == tuple(1 if i == axis else s for i, s in enumerate(full))


def _reduction(n: Node, op: str, full: tuple[int, ...],
               seen: tuple[int, ...] | None = None) -> tuple[Node, int] | None:
    """(argument, axis) when n is ``op`` over one axis of an array shaped ``full``, seen (as
    ``seen``, by default n's own shape) with that axis kept: keepdims=True, or [:, None]."""
    seen = n.shape if seen is None else seen
    r = _strip(n)
    if r.op != op or len(r.args) != 1 or r.args[0].shape != full:
        return None
    axes = r.attrs.axes
    if axes is None:
        axes = (0,) if len(full) == 1 else None
    if axes is None or len(axes) != 1 or not _kept(seen, full, axes[0]):
        return None
    return r.args[0], axes[0]


def _is(n: Node, name: str) -> bool:
    return n.op == "fn" and n.attrs.name == name and n.attrs.order == 0


def _unshift(v: Node, axis: int) -> Node:
    """u for v = u − max_axis(u) (the shift cancels), else v itself."""
    if v.op == "sub":
        found = _reduction(v.args[1], "amax", v.shape)
        if found is not None and found[1] == axis and same(found[0], v.args[0]):
            return v.args[0]
    return v


def _softmax(n: Node) -> Node | None:
    num, den = n.args
    if not _is(num, "exp"):
        return None
    found = _reduction(den, "sum", n.shape)
    if found is None or not same(found[0], num):
        return None
    return build.softmax(_unshift(num.args[0], found[1]), found[1])


def _log_softmax(n: Node) -> Node | None:
    v, right = n.args
    if v.shape != n.shape:
        return None
    inner = _strip(right)
    if not _is(inner, "log"):
        return None
    found = _reduction(inner.args[0], "sum", n.shape, right.shape)  # log(Σ)[:, None] too
    if found is None or not _is(found[0], "exp") or not same(found[0].args[0], v):
        return None
    return build.log_softmax(_unshift(v, found[1]), found[1])


def axis_form(n: Node) -> Node | None:
    """softmax or log_softmax when n is one of the hand-written forms, else None."""
    if n.op == "div" and len(n.args) == 2:
        return _softmax(n)
    if n.op == "sub" and len(n.args) == 2:
        return _log_softmax(n)
    if _is(n, "log") and n.args[0].op == "softmax" and not n.args[0].name:
        # (a softmax the user named, P = ..., stays: formulas and steps refer to P)
        a = n.args[0]
        return build.log_softmax(a.args[0], a.attrs.axis)
    return None
