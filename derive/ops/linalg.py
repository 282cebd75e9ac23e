"""Linear algebra: inverse, determinant and log|det| of square matrices (stacks of them).

solve(A, b) is lowered to inv(A) @ b and norm to sums by the tracer, so their derivatives
come from these rules and matmul's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from derive.errors import ShapeError
from derive.lazysympy import sp
from derive.ops.node import Node
from derive.ops.registry import Op, build, register


def _square(a: Node, what: str) -> None:
    if len(a.shape) < 2 or a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"{what} needs square matrices, got shape {a.shape}")


def inv(a: Node) -> Node:
    _square(a, "inv")
    return Node("inv", (a,), a.shape)


def det(a: Node) -> Node:
    _square(a, "det")
    return Node("det", (a,), a.shape[:-2])


def logabsdet(a: Node) -> Node:
    """log |det a|, the second value of np.linalg.slogdet."""
    _square(a, "slogdet")
    return Node("logabsdet", (a,), a.shape[:-2])


def _per_matrix(f: Any, a: np.ndarray) -> np.ndarray:
    """f of each square matrix in a stack, as an object array."""
    lead = a.shape[:-2]
    out = np.empty(lead, dtype=object) if lead else None
    if not lead:
        return np.asarray(f(sp.Matrix(a.tolist())), dtype=object)
    for idx in np.ndindex(*lead):
        out[idx] = f(sp.Matrix(a[idx].tolist()))
    return out


def _stacked(value: Node, a: Node) -> Node:
    """A value per matrix, shaped to broadcast against the stack (..., 1, 1)."""
    return build.reshape(value, a.shape[:-2] + (1, 1))


@register
class Inv(Op):
    name = "inv"
    arity = 1

    def axis_sources(self, n: Node, axis: int) -> list[tuple[int, int]]:
        return [(0, axis)]

    def vjp(self, g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
        t = build.swap_last(out)
        return (build.neg(build.matmul(build.matmul(t, g), t)),)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        a = args[0]
        if a.ndim == 2:
            return np.array(sp.Matrix(a.tolist()).inv().tolist(), dtype=object)
        out = np.empty(a.shape, dtype=object)
        for idx in np.ndindex(*a.shape[:-2]):
            out[idx] = np.array(sp.Matrix(a[idx].tolist()).inv().tolist(), dtype=object)
        return out

    def latex(self, p: Any, n: Node) -> str:
        return rf"{p.paren(n.args[0], 5)}^{{-1}}"

    def numpy(self, p: Any, n: Node) -> str:
        return f"np.linalg.inv({p.doprint(n.args[0], False)})"

    def text(self, p: Any, n: Node) -> str:
        return f"{p.paren(n.args[0], 5)}⁻¹"


@register
class Det(Op):
    name = "det"
    arity = 1

    def vjp(self, g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
        return (build.mul(_stacked(build.mul(g, out), a), build.swap_last(inv(a))),)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return _per_matrix(lambda m: m.det(), args[0])

    def latex(self, p: Any, n: Node) -> str:
        return rf"\det\left({p.doprint(n.args[0], False)}\right)"

    def numpy(self, p: Any, n: Node) -> str:
        return f"np.linalg.det({p.doprint(n.args[0], False)})"

    def text(self, p: Any, n: Node) -> str:
        return f"det({p.doprint(n.args[0], False)})"


@register
class LogAbsDet(Op):
    name = "logabsdet"
    arity = 1

    def vjp(self, g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
        return (build.mul(_stacked(g, a), build.swap_last(inv(a))),)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return _per_matrix(lambda m: sp.log(sp.Abs(m.det())), args[0])

    def latex(self, p: Any, n: Node) -> str:
        return rf"\log\left|\det\left({p.doprint(n.args[0], False)}\right)\right|"

    def numpy(self, p: Any, n: Node) -> str:
        return f"np.linalg.slogdet({p.doprint(n.args[0], False)})[1]"

    def text(self, p: Any, n: Node) -> str:
        return f"log|det({p.doprint(n.args[0], False)})|"
