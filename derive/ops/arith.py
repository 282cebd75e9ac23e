"""Arithmetic: + - * / negation and powers, elementwise with numpy broadcasting.

Each operation's forward (its constructor, with the simplifications a reader expects:
x + 0 = x, 1 * x = x, -(-x) = x) sits beside its derivative rule and its printed forms.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from derive.ops import symbolic as S
from derive.ops.broadcast import broadcast_shape
from derive.ops.leaves import const, is_const
from derive.ops.node import Node
from derive.ops.registry import Op, build, register


def to(g: Node, arg: Node) -> Node | None:
    """The contribution for ``arg``: g summed down to its shape (None for a constant)."""

    if arg.op == "const":
        return None
    return build.sum_to(g, arg.shape)


def add(a: Node, b: Node) -> Node:
    if is_const(a, 0.0) and broadcast_shape(a.shape, b.shape) == b.shape:
        return b
    if is_const(b, 0.0) and broadcast_shape(a.shape, b.shape) == a.shape:
        return a
    return Node("add", (a, b), broadcast_shape(a.shape, b.shape))


def sub(a: Node, b: Node) -> Node:
    """a - b; x - 0 = x and 0 - x = -x (so relu's step prints H(x), not H(x - 0))."""
    shape = broadcast_shape(a.shape, b.shape)
    if is_const(b, 0.0) and shape == a.shape:
        return a
    if is_const(a, 0.0) and shape == b.shape:
        return neg(b)
    return Node("sub", (a, b), shape)


def mul(a: Node, b: Node) -> Node:
    """Elementwise product; multiplying by the scalar 1 is dropped, by -1 becomes neg."""
    shape = broadcast_shape(a.shape, b.shape)
    for x, y in ((a, b), (b, a)):
        if is_const(x, 1.0) and shape == y.shape:
            return y
        if is_const(x, -1.0) and shape == y.shape:
            return neg(y)
        if x.op == "ones" and shape == y.shape:  # 𝟙 ⊙ dout = dout
            return y
    return Node("mul", (a, b), shape)


def div(a: Node, b: Node) -> Node:
    return Node("div", (a, b), broadcast_shape(a.shape, b.shape))


def neg(a: Node) -> Node:
    if a.op == "neg":
        return a.args[0]
    return Node("neg", (a,), a.shape)


def power(a: Node, b: Node) -> Node:
    return Node("pow", (a, b), broadcast_shape(a.shape, b.shape))


class _Binary(Op):
    arity = 2
    elementwise = True
    symbol = ""  # how numpy and text write it

    def numpy(self, p: Any, n: Node) -> str:
        return f"{p.paren(n.args[0])} {self.symbol} {p.paren(n.args[1])}"


@register
class Add(_Binary):
    name = "add"
    symbol = "+"
    latex_prec = text_prec = 1
    letter = r"\alpha"

    def vjp(self, g: Node, out: Node, a: Node, b: Node) -> tuple[Node | None, ...]:
        return to(g, a), to(g, b)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return S.obj(np.add(args[0], args[1]))

    def latex(self, p: Any, n: Node) -> str:
        return f"{p.paren(n.args[0], 1)} + {p.paren(n.args[1], 1)}"

    def text(self, p: Any, n: Node) -> str:
        return f"{p.paren(n.args[0], 1)} + {p.paren(n.args[1], 1)}"


@register
class Sub(_Binary):
    name = "sub"
    symbol = "-"
    latex_prec = text_prec = 1
    letter = r"\alpha"

    def vjp(self, g: Node, out: Node, a: Node, b: Node) -> tuple[Node | None, ...]:
        return to(g, a), to(neg(g), b)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return S.obj(np.subtract(args[0], args[1]))

    def latex(self, p: Any, n: Node) -> str:
        return f"{p.paren(n.args[0], 1)} - {p.paren(n.args[1], 2)}"

    def text(self, p: Any, n: Node) -> str:
        return f"{p.paren(n.args[0], 1)} − {p.paren(n.args[1], 2)}"


@register
class Mul(_Binary):
    name = "mul"
    symbol = "*"
    latex_prec = text_prec = 2
    letter = r"\mu"

    def vjp(self, g: Node, out: Node, a: Node, b: Node) -> tuple[Node | None, ...]:
        return to(mul(g, b), a), to(mul(g, a), b)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return S.obj(np.multiply(args[0], args[1]))

    def latex(self, p: Any, n: Node) -> str:
        a, b = n.args
        if not a.shape or not b.shape:
            return rf"{p.paren(a, 2)} \, {p.paren(b, 2)}"
        return rf"{p.paren(a, 2)} \odot {p.paren(b, 3)}"

    def text(self, p: Any, n: Node) -> str:
        a, b = n.args
        if not a.shape or not b.shape:
            return f"{p.paren(a, 2)} {p.paren(b, 3)}"
        return f"{p.paren(a, 2)} ⊙ {p.paren(b, 3)}"


@register
class Div(_Binary):
    name = "div"
    symbol = "/"
    latex_prec = text_prec = 3

    def vjp(self, g: Node, out: Node, a: Node, b: Node) -> tuple[Node | None, ...]:
        return to(div(g, b), a), to(neg(div(mul(g, a), power(b, const(2.0)))), b)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return S.obj(np.divide(args[0], args[1]))

    def latex(self, p: Any, n: Node) -> str:
        a, b = n.args
        return rf"\frac{{{p.doprint(a, False)}}}{{{p.doprint(b, False)}}}"

    def text(self, p: Any, n: Node) -> str:
        return f"{p.paren(n.args[0], 2)} / {p.paren(n.args[1], 4)}"


@register
class Neg(Op):
    name = "neg"
    arity = 1
    elementwise = True
    latex_prec = text_prec = 2

    def vjp(self, g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
        return (neg(g),)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return S.obj(-args[0])

    def latex(self, p: Any, n: Node) -> str:
        return f"-{p.paren(n.args[0], 3)}"

    def numpy(self, p: Any, n: Node) -> str:
        return f"-{p.paren(n.args[0])}"

    def text(self, p: Any, n: Node) -> str:
        return f"−{p.paren(n.args[0], 3)}"


_SUPERSCRIPT = {2.0: "²", 3.0: "³"}


@register
class Pow(Op):
    name = "pow"
    arity = 2
    elementwise = True
    latex_prec = text_prec = 4

    def vjp(self, g: Node, out: Node, a: Node, b: Node) -> tuple[Node | None, ...]:

        if is_const(b):
            c = b.attrs.value
            da = mul(const(c), power(a, const(c - 1))) if c != 2.0 else mul(const(2.0), a)
            return to(mul(g, da), a), None
        return (to(mul(g, mul(b, power(a, sub(b, const(1.0))))), a),
                to(mul(g, mul(out, build.fn("log", a))), b))

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return S.binary(lambda x, y: x**y, args[0], args[1])

    def latex(self, p: Any, n: Node) -> str:
        return f"{p.paren(n.args[0], 5)}^{{{p.doprint(n.args[1], False)}}}"

    def numpy(self, p: Any, n: Node) -> str:
        a, b = n.args
        if p.square_as_call and is_const(b, 2.0):
            return f"np.square({p.doprint(a, False)})"
        return f"np.power({p.doprint(a, False)}, {p.doprint(b, False)})"

    def text(self, p: Any, n: Node) -> str:
        base, ex = n.args
        if is_const(ex) and ex.attrs.value in _SUPERSCRIPT:
            return f"{p.paren(base, 5)}{_SUPERSCRIPT[ex.attrs.value]}"
        return f"{p.paren(base, 5)}^{p.paren(ex, 5)}"

