"""Joining arrays along an axis (np.concatenate; stack, hstack and vstack lower to it)."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from derive.errors import ShapeError
from derive.ops import symbolic as S
from derive.ops.node import Node
from derive.ops.registry import Op, build, register


class AxisAttrs(NamedTuple):
    axis: int


def concat(parts: list[Node], axis: int = 0) -> Node:
    if not parts:
        raise ShapeError("concatenate needs at least one array")
    ndim = len(parts[0].shape)
    if ndim == 0:
        raise ShapeError("zero-dimensional arrays cannot be concatenated")
    axis = int(axis) % ndim
    for p in parts[1:]:
        if len(p.shape) != ndim or any(a != b for i, (a, b) in
                                       enumerate(zip(p.shape, parts[0].shape)) if i != axis):
            raise ShapeError(f"concatenate along axis {axis}: shapes "
                             f"{', '.join(str(q.shape) for q in parts)} do not fit")
    if len(parts) == 1:
        return parts[0]
    shape = list(parts[0].shape)
    shape[axis] = sum(p.shape[axis] for p in parts)
    return Node("concat", tuple(parts), tuple(shape), AxisAttrs(axis))


@register
class Concat(Op):
    name = "concat"
    arity = None

    def axis_sources(self, n: Node, axis: int) -> list[tuple[int, int]]:
        return [] if axis == n.attrs.axis else [(i, axis) for i in range(len(n.args))]

    def vjp(self, g: Node, out: Node, *parts: Node) -> tuple[Node | None, ...]:
        axis = out.attrs.axis
        grads: list[Node | None] = []
        start = 0
        for part in parts:
            stop = start + part.shape[axis]
            key = tuple(("slice", None, None, None) for _ in range(axis)) + (
                ("slice", start, stop, None),)
            grads.append(None if part.op == "const" else build.getitem(g, key))
            start = stop
        return tuple(grads)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return S.obj(np.concatenate(args, axis=n.attrs.axis))

    def latex(self, p: Any, n: Node) -> str:
        parts = [p.doprint(a, False) for a in n.args]
        if len(n.shape) <= 2:
            sep = r" \\ " if n.attrs.axis == 0 and len(n.shape) == 2 else " & "
            return rf"\begin{{bmatrix}} {sep.join(parts)} \end{{bmatrix}}"
        return rf"\operatorname{{concat}}_{{{n.attrs.axis}}}\left({', '.join(parts)}\right)"

    def numpy(self, p: Any, n: Node) -> str:
        parts = ", ".join(p.doprint(a, False) for a in n.args)
        return f"np.concatenate([{parts}], axis={n.attrs.axis})"

    def text(self, p: Any, n: Node) -> str:
        parts = ", ".join(p.doprint(a, False) for a in n.args)
        return f"concat_{n.attrs.axis}({parts})"
