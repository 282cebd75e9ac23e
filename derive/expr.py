"""The expression language shared by forward graphs and matrix-form gradients.

A :class:`Node` is one array operation with a concrete shape; what each operation means
(shape rule, derivative, printed forms, symbolic value, kinks) is its spec in
:mod:`derive.ops`. This module is the short name everything else uses: ``E.matmul(a, b)``,
``E.topological(out)``.
"""

from __future__ import annotations

from derive.ops import OPS, spec
from derive.ops.arith import add, div, mul, neg, power, sub
from derive.ops.broadcast import broadcast_shape, summed_axes
from derive.ops.concat import concat
from derive.ops.einsum import einsum
from derive.ops.index import IndexKey, getitem, index_key, key_text, python_key, scatter, setitem
from derive.ops.leaves import (
    adjoint,
    const,
    const_value,
    count,
    dim,
    full,
    is_const,
    leaf,
    ones,
)
from derive.ops.node import Node, Shape, substitute, topological
from derive.ops.pointwise import compare, fn, logaddexp, maximum, minimum, where
from derive.ops.products import matmul
from derive.ops.reduce import reduce
from derive.ops.shape import broadcast_to, reshape, sum_to, transpose


def leaves(node: Node) -> list[Node]:
    """Input, adjoint and named leaves in first-use order."""
    return [n for n in topological(node) if n.op in ("input", "adjoint")]


__all__ = [
    "IndexKey", "Node", "OPS", "Shape", "add", "adjoint", "broadcast_shape", "broadcast_to",
    "compare", "concat", "const", "const_value", "count", "dim", "div", "einsum", "fn", "full",
    "getitem",
    "index_key", "is_const", "key_text", "leaf", "leaves", "logaddexp", "matmul", "maximum",
    "minimum", "mul", "neg", "ones", "power", "python_key", "reduce", "reshape", "scatter",
    "setitem", "spec", "sub", "substitute", "sum_to", "summed_axes", "topological", "transpose",
    "where",
]
