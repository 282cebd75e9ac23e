"""Where a size comes from: which input's axis each axis of a node is.

Generated code and printed math hold at every size only if a size is written by name
(``X.shape[0]``, n) rather than as the number it had when the graph was traced. Each
operation says, through :meth:`Op.axis_sources`, which argument axes an output axis is; a
walk down the graph finds an input's axis, or nothing (a size made by a reshape, say).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from derive.ops.node import Node
from derive.ops.registry import OPS, aligned  # noqa: F401 - aligned is found here too

Source = tuple[str, int]  # (input name, axis)
T = TypeVar("T")


def dim_source(node: Node, axis: int) -> Source | None:
    """The input axis that ``node``'s ``axis`` is, found without recursion."""
    return follow_axis(node, axis, _named_size)


def _named_size(n: Node, ax: int) -> Source | None:
    if n.op == "input" and n.name:
        return n.name, ax
    if n.op == "dim":  # a size read off an input (the argument of arange)
        return n.attrs.input, n.attrs.axis
    named = getattr(n.attrs, "dims", None)  # sizes an operation recorded by name
    if named and ax < len(named) and named[ax] is not None:
        return named[ax]
    return None


def follow_axis(node: Node, axis: int, found: Callable[[Node, int], T | None]) -> T | None:
    """The first ``found(n, ax)`` that is not None, walking from ``node``'s ``axis`` down
    the argument axes it is (:meth:`Op.axis_sources`), without recursion."""
    stack = [(node, axis)]
    seen: set[tuple[int, int]] = set()
    while stack:
        n, ax = stack.pop()
        if (n.uid, ax) in seen:
            continue
        seen.add((n.uid, ax))
        hit = found(n, ax)
        if hit is not None:
            return hit
        stack.extend(reversed([(n.args[i], k) for i, k in OPS[n.op].axis_sources(n, ax)]))
    return None


def dims_of(node: Node) -> tuple[Source | None, ...]:
    return tuple(dim_source(node, i) for i in range(len(node.shape)))


def shape_code(node: Node, unknown: str | None = None) -> str:
    """numpy source for node's shape: sizes read off inputs where they come from one,
    e.g. '(X.shape[0], 4)'. ``unknown``: what to write for the one size above 1 that no
    input names (a reshape's -1, which numpy infers at every size)."""
    parts = [f"{src[0]}.shape[{src[1]}]" if src and node.shape[i] != 1 else str(node.shape[i])
             for i, src in enumerate(dims_of(node))]
    unnamed = [i for i, p in enumerate(parts) if p.isdigit() and p != "1"]
    if unknown is not None and len(unnamed) == 1:
        parts[unnamed[0]] = unknown
    return f"({parts[0]},)" if len(parts) == 1 else f"({', '.join(parts)})"


def reshape_code(node: Node) -> str:
    """A reshape's target: the shape by name, and -1 for the one size no input names
    (x.reshape((-1, X.shape[1])) after flattening n x t rows holds at every n and t)."""
    return shape_code(node, unknown="-1")
