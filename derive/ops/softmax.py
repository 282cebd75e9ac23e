"""softmax and log-softmax along one axis, as single operations.

Users write them by hand (``e = np.exp(z - z.max(1, keepdims=True)); p = e / e.sum(1,
keepdims=True)``); :mod:`derive.recognize` turns those forms into these nodes, so the chain
rule gives the textbook P ⊙ (g − Σ(g ⊙ P)) instead of a quotient rule through a max shift
(whose gradient is zero, but only after algebra the printed form never does), and the
generated code evaluates the stable form.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from derive.lazysympy import sp
from derive.ops import symbolic as S
from derive.ops.node import Node
from derive.ops.registry import Op, build, register


class AxisAttrs(NamedTuple):
    axis: int  # non-negative


def softmax(a: Node, axis: int) -> Node:
    return Node("softmax", (a,), a.shape, AxisAttrs(int(axis) % max(len(a.shape), 1)))


def log_softmax(a: Node, axis: int) -> Node:
    return Node("log_softmax", (a,), a.shape, AxisAttrs(int(axis) % max(len(a.shape), 1)))


def _sum_kept(x: Node, axis: int) -> Node:
    return build.reduce("sum", x, axis, True)


def _exp_normalized(a: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """exp of every entry and the sums along ``axis`` (kept), on SymPy object arrays."""
    e = S.apply(sp.exp, a)
    return e, S.obj(np.sum(e, axis=axis, keepdims=True))


class _AlongAxis(Op):
    arity = 1
    word = ""

    def axis_sources(self, n: Node, axis: int) -> list[tuple[int, int]]:
        return [(0, axis)]

    def latex(self, p: Any, n: Node) -> str:
        inner = p.doprint(n.args[0], False)
        return rf"{self.word}_{{{n.attrs.axis}}}\left({inner}\right)"

    def numpy(self, p: Any, n: Node) -> str:
        return f"{self.name}({p.doprint(n.args[0], False)}, axis={n.attrs.axis})"

    def text(self, p: Any, n: Node) -> str:
        return f"{self.name}_{n.attrs.axis}({p.doprint(n.args[0], False)})"


@register
class Softmax(_AlongAxis):
    name = "softmax"
    word = r"\operatorname{softmax}"
    helpers = ("softmax",)

    def vjp(self, g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
        """P ⊙ (g − Σ_axis g ⊙ P): the Jacobian diag(P) − P Pᵀ of each fiber, applied to g."""
        axis = out.attrs.axis
        return (build.mul(out, build.sub(g, _sum_kept(build.mul(g, out), axis))),)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        e, total = _exp_normalized(args[0], n.attrs.axis)
        return S.binary(lambda x, y: x / y, e, total)


@register
class LogSoftmax(_AlongAxis):
    name = "log_softmax"
    word = r"\log\operatorname{softmax}"
    helpers = ("log_softmax",)

    def vjp(self, g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
        """g − softmax(a) ⊙ Σ_axis g."""
        axis = out.attrs.axis
        return (build.sub(g, build.mul(softmax(a, axis), _sum_kept(g, axis))),)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        _, total = _exp_normalized(args[0], n.attrs.axis)
        return S.binary(lambda x, y: x - y, args[0], S.apply(sp.log, total))
