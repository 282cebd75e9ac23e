"""Arrays made from a size known by name: ``np.arange(X.shape[0])`` and ``np.eye(k)``.

Labels index with ``logp[np.arange(n), y]`` and one-hot rows are ``np.eye(C)[y]``. Traced
as the numbers they were at the traced shapes, the printed math would show a 6-entry
constant and the pasted code ``np.array([0, 1, ..., 5])``, which breaks at any other batch.
As nodes of a ``dim`` (a size read off an input) they print as arange(n) and
``np.arange(X.shape[0])``. They are data (integers, or the identity's 0 and 1), never
differentiated.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from derive.ops import symbolic as S
from derive.ops.node import Node
from derive.ops.registry import Op, register


def arange(size: Node, k: int) -> Node:
    """np.arange(k): 0, 1, ..., k - 1, of a size node (a ``dim`` read off an input, or a
    product of them) whose value is k."""
    return Node("arange", (size,), (int(k),))


def eye(size: Node, k: int) -> Node:
    """np.eye(k) of a size node whose value is k: the k x k identity, in float64."""
    return Node("eye", (size,), (int(k), int(k)))


class _OfSize(Op):
    """An array of a size: every axis is that size (dim_source reads its input and axis)."""

    arity = 1
    word = ""  # the printed name: arange(n), I(n)

    def axis_sources(self, n: Node, axis: int) -> list[tuple[int, int]]:
        return [(0, 0)]

    def vjp(self, g: Node, out: Node, size: Node) -> tuple[Node | None, ...]:
        return (None,)

    def latex(self, p: Any, n: Node) -> str:
        return rf"\operatorname{{{self.word}}}\left({p.doprint(n.args[0], False)}\right)"

    def numpy(self, p: Any, n: Node) -> str:
        return f"np.{self.name}({p.doprint(n.args[0], False)})"

    def text(self, p: Any, n: Node) -> str:
        return f"{self.word}({p.doprint(n.args[0], False)})"


@register
class Arange(_OfSize):
    name = "arange"
    word = "arange"

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return np.arange(n.shape[0])  # integers: data, as constant labels are


@register
class Eye(_OfSize):
    name = "eye"
    word = "I"

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return S.apply(S.number, np.eye(n.shape[0]).astype(object))

    def latex(self, p: Any, n: Node) -> str:
        return rf"I_{{{p.doprint(n.args[0], False)}}}"
