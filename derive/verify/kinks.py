"""Kinks: whether a point sits on one, and the conventions frameworks use there."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from derive import expr as E
from derive.compile import evaluate_numeric, step_values
from derive.functions import TABLE
from derive.graph import kink_nodes
from derive.verify.results import Derivation

Shape = tuple[int, ...]
Arrays = dict[str, np.ndarray]


# ---------------------------------------------------------------- kinks

# leaky ReLU's slope left of 0 (its row: max(u/5, u))
LEAKY_SLOPE = 0.2


def _under_convention(f: Callable[..., Any], h0: float) -> Callable[..., Any]:
    """The compiled gradient with the step function's value at 0 set to h0."""
    import types

    def step(u: Any) -> Any:
        return np.heaviside(u, h0)

    def leaky(u: Any) -> Any:
        return np.where(u > 0, 1.0, np.where(u < 0, LEAKY_SLOPE,
                                             LEAKY_SLOPE + (1 - LEAKY_SLOPE) * h0))

    g = {**f.__globals__, "heaviside": step, "d1_relu": step, "d1_leaky_relu": leaky}
    return types.FunctionType(f.__code__, g, f.__name__, f.__defaults__, f.__closure__)


def _kink_ties(d: Derivation, point: Arrays) -> bool:
    """Whether the point sits exactly on a kink: a tie in max/min, a kink argument hit."""
    probes: list[E.Node] = []
    extremes: list[E.Node] = []
    for n in kink_nodes(d.graph):
        if n.op in ("amax", "amin"):
            extremes.append(n)
        elif n.op in ("maximum", "minimum"):
            probes.append(E.sub(n.args[0], n.args[1]))
        elif n.op == "where" and n.args[0].op == "compare":
            probes.append(E.sub(*n.args[0].args))
        elif n.op == "fn":
            probes += [E.sub(n.args[0], E.const(k)) for k in TABLE[n.attrs[0]].kinks]
    if not probes and not extremes:
        return False
    with np.errstate(all="ignore"):
        env = {**point, **step_values(d.graph, point)}
        if any(_tied(evaluate_numeric(n.args[0], env), n) for n in extremes):
            return True
        return any(np.any(evaluate_numeric(p, env) == 0.0) for p in probes)


def _tied(values: np.ndarray, n: E.Node) -> bool:
    """Whether a max/min reduction is attained by two entries or more somewhere."""
    axes = n.attrs[0]
    axes = tuple(range(values.ndim)) if axes is None else axes
    pick = np.max if n.op == "amax" else np.min
    hits = np.sum(values == pick(values, axis=axes, keepdims=True), axis=axes)
    return bool(np.any(hits > 1))
