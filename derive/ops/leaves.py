"""Leaves: named inputs, upstream gradients (adjoints), constants, and arrays of ones."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import sympy as sp

from derive.ops import symbolic as S
from derive.ops.node import Node, Shape
from derive.ops.registry import Op, register


class ConstAttrs(NamedTuple):
    """A Python number, or an array stored as a nested tuple (hashable, printable)."""

    value: Any
    dtype: str = "float64"


def leaf(name: str, shape: Shape) -> Node:
    return Node("input", (), tuple(shape), (), name)


def adjoint(name: str, shape: Shape) -> Node:
    """The name of an upstream gradient (dLdS) inside a backward expression."""
    return Node("adjoint", (), tuple(shape), (), name)


def _freeze(a: np.ndarray) -> tuple:
    kind = float if a.dtype.kind == "f" else (bool if a.dtype.kind == "b" else int)
    return tuple(_freeze(x) for x in a) if a.ndim > 1 else tuple(kind(x) for x in a)


def const(value: Any, shape: Shape = ()) -> Node:
    """A constant: a Python number or an array (float64 unless it holds integers or booleans,
    which stay integers: labels and index arrays are data, not numbers to differentiate)."""
    a = np.asarray(value)
    if a.dtype.kind not in "biu":
        a = a.astype(np.float64)
    if a.ndim:
        return Node("const", (), a.shape, ConstAttrs(_freeze(a), str(a.dtype)))
    return Node("const", (), tuple(shape), ConstAttrs(float(a), "float64"))


def const_value(node: Node) -> Any:
    v, dtype = node.attrs
    return np.array(v, dtype=dtype) if isinstance(v, tuple) else v


def is_const(node: Node, value: float | None = None) -> bool:
    """A scalar constant (of ``value``, when given)."""
    if node.op != "const" or isinstance(node.attrs.value, tuple):
        return False
    return value is None or node.attrs.value == value


def count(n: int, name: str = "n") -> Node:
    """A size that enters a formula (the mean's 1/n): printed by its name."""
    return Node("const", (), (), ConstAttrs(float(n), "float64"), name)


def ones(like: Node) -> Node:
    """An array of ones shaped like ``like`` (the documents' np.ones_like)."""
    return Node("ones", (like,), like.shape)


@register
class Input(Op):
    name = "input"
    arity = 0

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return S.obj(env[n.name])

    def latex(self, p: Any, n: Node) -> str:
        return p.name(n.name or "?")

    def numpy(self, p: Any, n: Node) -> str:
        return n.name or "?"

    def text(self, p: Any, n: Node) -> str:
        return p.name(n.name or "?")


@register
class Adjoint(Input):
    name = "adjoint"


@register
class Const(Op):
    name = "const"
    arity = 0

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        v = const_value(n)
        if isinstance(v, np.ndarray):
            return S.apply(S.number, v.astype(object)) if v.shape else S.obj(S.number(float(v)))
        return S.obj(S.number(v) if not n.name else sp.Integer(int(v)))

    def latex(self, p: Any, n: Node) -> str:
        if n.name:
            return p.name(n.name)
        v = const_value(n)
        if isinstance(v, np.ndarray):
            rows = np.atleast_2d(v)
            body = r" \\ ".join(" & ".join(p.number(x) for x in r) for r in rows)
            return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"
        return p.number(v)

    def numpy(self, p: Any, n: Node) -> str:
        v = const_value(n)
        if isinstance(v, np.ndarray):
            return p.constant(v)
        return repr(float(v))

    def text(self, p: Any, n: Node) -> str:
        v = const_value(n)
        if isinstance(v, np.ndarray):
            return f"[{'x'.join(map(str, v.shape))} constant]"
        return p.number(v)


@register
class Ones(Op):
    name = "ones"
    arity = 1

    def vjp(self, g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
        return (None,)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return S.filled(n.shape, sp.Integer(1))

    def latex(self, p: Any, n: Node) -> str:
        return r"\mathbf{1}"

    def numpy(self, p: Any, n: Node) -> str:
        a = n.args[0]
        return f"np.ones_like({a.name})" if a.name else f"np.ones({n.shape})"

    def text(self, p: Any, n: Node) -> str:
        return "𝟙"
