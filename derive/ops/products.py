"""Matrix products: matmul (with numpy's 1-D rules and broadcast leading axes)."""

from __future__ import annotations

from typing import Any

import numpy as np

from derive.errors import ShapeError
from derive.ops import symbolic as S
from derive.ops.broadcast import broadcast_shape
from derive.ops.node import Node, Shape
from derive.ops.registry import Op, build, register


def matmul_shape(sa: Shape, sb: Shape) -> Shape:
    """numpy's matmul shape rule: 1-D operands promoted and dropped, leading axes broadcast."""
    if not sa or not sb:
        raise ShapeError(f"matmul needs arrays, got shapes {sa} and {sb}")
    inner_a = sa[-1]
    inner_b = sb[0] if len(sb) == 1 else sb[-2]
    if inner_a != inner_b:
        raise ShapeError(
            f"matmul: the last axis of the left operand ({inner_a}) must match the "
            f"{'only' if len(sb) == 1 else 'second-to-last'} axis of the right one "
            f"({inner_b}): {sa} @ {sb}")
    if len(sa) == 1 and len(sb) == 1:
        return ()
    if len(sa) == 1:
        return sb[:-2] + sb[-1:]
    if len(sb) == 1:
        return sa[:-1]
    return broadcast_shape(sa[:-2], sb[:-2]) + (sa[-2], sb[-1])


def matmul(a: Node, b: Node) -> Node:
    return Node("matmul", (a, b), matmul_shape(a.shape, b.shape))


def _outer(a: Node, b: Node) -> Node:
    return matmul(build.reshape(a, (a.size, 1)), build.reshape(b, (1, b.size)))


def swap_last(x: Node) -> Node:
    """x with its last two axes swapped (the transpose of a stack of matrices)."""
    n = len(x.shape)
    return build.transpose(x, tuple(range(n - 2)) + (n - 1, n - 2)) if n > 2 else build.transpose(x)


def _batched_vjp(g: Node, a: Node, b: Node) -> tuple[Node | None, Node | None]:
    """G @ B^T and A^T @ G on stacks of matrices, summed over broadcast leading axes; a 1-D
    operand is a row (left) or a column (right), as numpy promotes it."""
    a2 = a if len(a.shape) > 1 else build.reshape(a, (1, a.shape[0]))
    b2 = b if len(b.shape) > 1 else build.reshape(b, (b.shape[0], 1))
    g2 = build.reshape(g, matmul_shape(a2.shape, b2.shape))
    ga = build.to(matmul(g2, swap_last(b2)), a2)
    gb = build.to(matmul(swap_last(a2), g2), b2)
    return (None if ga is None else build.reshape(ga, a.shape),
            None if gb is None else build.reshape(gb, b.shape))


@register
class MatMul(Op):
    name = "matmul"
    arity = 2
    latex_prec = 2
    text_prec = 3
    letter = r"\nu"

    def axis_sources(self, n: Node, axis: int) -> list[tuple[int, int]]:
        a, b = n.args
        last = len(n.shape) - 1
        if len(b.shape) >= 2 and axis == last:
            return [(1, len(b.shape) - 1)]
        if len(a.shape) >= 2 and axis == last - (1 if len(b.shape) >= 2 else 0):
            return [(0, len(a.shape) - 2)]
        lead = len(n.shape) - (2 if len(a.shape) >= 2 and len(b.shape) >= 2 else 1)
        out = []
        for i, x in enumerate(n.args):  # broadcast leading axes
            k = axis - (lead - (len(x.shape) - 2))
            if axis < lead and 0 <= k < len(x.shape) - 2 and x.shape[k] == n.shape[axis]:
                out.append((i, k))
        return out

    def vjp(self, g: Node, out: Node, a: Node, b: Node) -> tuple[Node | None, ...]:
        na, nb = len(a.shape), len(b.shape)
        if na > 2 or nb > 2:
            return _batched_vjp(g, a, b)
        if na == 1 and nb == 1:
            ga, gb = build.mul(g, b), build.mul(g, a)
        elif na == 1:
            ga, gb = matmul(b, g), _outer(a, g)
        elif nb == 1:
            ga, gb = _outer(g, b), matmul(build.transpose(a), g)
        else:
            ga, gb = matmul(g, build.transpose(b)), matmul(build.transpose(a), g)
        return build.to(ga, a), build.to(gb, b)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return S.obj(np.matmul(args[0], args[1]))

    def latex(self, p: Any, n: Node) -> str:
        return rf"{p.paren(n.args[0], 3)} \, {p.paren(n.args[1], 3)}"

    def numpy(self, p: Any, n: Node) -> str:
        return f"{p.paren(n.args[0])} @ {p.paren(n.args[1])}"

    def text(self, p: Any, n: Node) -> str:
        return f"{p.paren(n.args[0], 3)}·{p.paren(n.args[1], 4)}"
