"""Elementwise functions of one or more arrays: table functions, max/min, comparisons,
where, logaddexp. Their kinks (where the derivative jumps) are declared here."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from derive.functions import lookup
from derive.lazysympy import sp
from derive.ops import symbolic as S
from derive.ops.broadcast import broadcast_shape
from derive.ops.leaves import const
from derive.ops.node import Node
from derive.ops.registry import Op, build, register


class FnAttrs(NamedTuple):
    name: str  # a row of derive.functions.TABLE
    order: int  # 0: the function, k: its k-th derivative


class CmpAttrs(NamedTuple):
    op: str  # ">", ">=", "<", "<=", "==", "!="


def fn(name: str, a: Node, order: int = 0) -> Node:
    """An elementwise table function (order 0) or its ``order``-th derivative."""
    return Node("fn", (a,), a.shape, FnAttrs(name, order))


def maximum(a: Node, b: Node) -> Node:
    return Node("maximum", (a, b), broadcast_shape(a.shape, b.shape))


def minimum(a: Node, b: Node) -> Node:
    return Node("minimum", (a, b), broadcast_shape(a.shape, b.shape))


def compare(op: str, a: Node, b: Node) -> Node:
    return Node("compare", (a, b), broadcast_shape(a.shape, b.shape), CmpAttrs(op))


def where(c: Node, a: Node, b: Node) -> Node:
    return Node("where", (c, a, b), broadcast_shape(c.shape, a.shape, b.shape))


def logaddexp(a: Node, b: Node) -> Node:
    return Node("logaddexp", (a, b), broadcast_shape(a.shape, b.shape))


def _call(p: Any, name: str, n: Node) -> str:
    return f"{name}({', '.join(p.doprint(a, False) for a in n.args)})"


@register
class Fn(Op):
    name = "fn"
    arity = 1
    elementwise = True

    def vjp(self, g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
        name, order = out.attrs
        if lookup(name).flat:  # d sign/du = 0 where it exists: no term
            return (None,)
        return (build.mul(g, fn(name, a, order + 1)),)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        from derive.symfunctions import U

        name, order = n.attrs
        row = lookup(name)
        if order == 0:
            return S.apply(row.sym, args[0])
        d = row.derivative(order)
        return S.apply(lambda x: d.subs(U, x), args[0])

    def latex(self, p: Any, n: Node) -> str:
        name, order = n.attrs
        return lookup(name).to_latex(p.doprint(n.args[0], False), order)

    def numpy(self, p: Any, n: Node) -> str:
        name, order = n.attrs
        fname = name if order == 0 else f"d{order}_{name}"
        return f"{fname}({p.doprint(n.args[0], False)})"

    def text(self, p: Any, n: Node) -> str:
        name, order = n.attrs
        return lookup(name).to_text(p.doprint(n.args[0], False), order)

    def kinks(self, n: Node) -> list[Node]:
        return [build.sub(n.args[0], const(k)) for k in lookup(n.attrs.name).kinks]


class _Extreme2(Op):
    """Elementwise max/min of two arrays: the gradient follows the larger (smaller) one; a
    tie is a kink, where the step function H(0) = 1/2 splits it."""

    arity = 2
    elementwise = True
    word = ""

    def latex(self, p: Any, n: Node) -> str:
        a, b = (p.doprint(x, False) for x in n.args)
        return rf"\{self.word}\left({a}, {b}\right)"

    def numpy(self, p: Any, n: Node) -> str:
        return _call(p, f"np.{self.name}", n)

    def text(self, p: Any, n: Node) -> str:
        return _call(p, self.word, n)

    def kinks(self, n: Node) -> list[Node]:
        return [build.sub(n.args[0], n.args[1])]


@register
class Maximum(_Extreme2):
    name = "maximum"
    word = "max"

    def vjp(self, g: Node, out: Node, a: Node, b: Node) -> tuple[Node | None, ...]:
        return (build.to(build.mul(g, fn("heaviside", build.sub(a, b))), a),
                build.to(build.mul(g, fn("heaviside", build.sub(b, a))), b))

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return S.binary(sp.Max, args[0], args[1])


@register
class Minimum(_Extreme2):
    name = "minimum"
    word = "min"

    def vjp(self, g: Node, out: Node, a: Node, b: Node) -> tuple[Node | None, ...]:
        return (build.to(build.mul(g, fn("heaviside", build.sub(b, a))), a),
                build.to(build.mul(g, fn("heaviside", build.sub(a, b))), b))

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return S.binary(sp.Min, args[0], args[1])


# comparison -> the SymPy relation's name (read when a proof runs: SymPy loads lazily)
_CMP = {">": "Gt", ">=": "Ge", "<": "Lt", "<=": "Le", "==": "Eq", "!=": "Ne"}
_CMP_LATEX = {">=": r"\geq", "<=": r"\leq", "!=": r"\neq"}
_CMP_TEXT = {">=": "≥", "<=": "≤", "!=": "≠"}


@register
class Compare(Op):
    name = "compare"
    arity = 2
    elementwise = True

    def vjp(self, g: Node, out: Node, a: Node, b: Node) -> tuple[Node | None, ...]:
        return None, None

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return S.binary(getattr(sp, _CMP[n.attrs.op]), args[0], args[1])

    def latex(self, p: Any, n: Node) -> str:
        op = _CMP_LATEX.get(n.attrs.op, n.attrs.op)
        return f"{p.paren(n.args[0], 2)} {op} {p.paren(n.args[1], 2)}"

    def numpy(self, p: Any, n: Node) -> str:
        return f"({p.paren(n.args[0])} {n.attrs.op} {p.paren(n.args[1])})"

    def text(self, p: Any, n: Node) -> str:
        op = _CMP_TEXT.get(n.attrs.op, n.attrs.op)
        return f"{p.paren(n.args[0], 2)} {op} {p.paren(n.args[1], 2)}"


@register
class Where(Op):
    name = "where"
    arity = 3
    elementwise = True

    def vjp(self, g: Node, out: Node, c: Node, a: Node, b: Node) -> tuple[Node | None, ...]:
        zero = const(0.0)
        return None, build.to(where(c, g, zero), a), build.to(where(c, zero, g), b)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        c, x, y = np.broadcast_arrays(*args)
        out = np.empty(c.shape, dtype=object)
        for idx in np.ndindex(*c.shape):
            out[idx] = sp.Piecewise((x[idx], c[idx]), (y[idx], True))
        return out

    def latex(self, p: Any, n: Node) -> str:
        c, a, b = (p.doprint(x, False) for x in n.args)
        return rf"\begin{{cases}} {a} & {c} \\ {b} & \text{{otherwise}} \end{{cases}}"

    def numpy(self, p: Any, n: Node) -> str:
        return _call(p, "np.where", n)

    def text(self, p: Any, n: Node) -> str:
        c, a, b = (p.doprint(x, False) for x in n.args)
        return f"({a} where {c}, else {b})"

    def kinks(self, n: Node) -> list[Node]:
        c = n.args[0]
        return [build.sub(*c.args)] if c.op == "compare" else []


@register
class LogAddExp(Op):
    name = "logaddexp"
    arity = 2
    elementwise = True

    def vjp(self, g: Node, out: Node, a: Node, b: Node) -> tuple[Node | None, ...]:
        return (build.to(build.mul(g, fn("sigmoid", build.sub(a, b))), a),
                build.to(build.mul(g, fn("sigmoid", build.sub(b, a))), b))

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return S.binary(lambda x, y: sp.log(sp.exp(x) + sp.exp(y)), args[0], args[1])

    def latex(self, p: Any, n: Node) -> str:
        a, b = (p.doprint(x, False) for x in n.args)
        return rf"\log\left(e^{{{a}}} + e^{{{b}}}\right)"

    def numpy(self, p: Any, n: Node) -> str:
        return _call(p, "np.logaddexp", n)

    def text(self, p: Any, n: Node) -> str:
        return _call(p, "logaddexp", n)


class LogicAttrs(NamedTuple):
    op: str  # "and", "or", "xor", "not"


_LOGIC_SYMPY = {"and": "And", "or": "Or", "xor": "Xor"}
_LOGIC_LATEX = {"and": r"\land", "or": r"\lor", "xor": r"\oplus"}


def logic(op: str, *args: Node) -> Node:
    shape = broadcast_shape(*(a.shape for a in args))
    return Node("logic", tuple(args), shape, LogicAttrs(op))


@register
class Logic(Op):
    """Logical and/or/xor/not of masks: no gradient flows through a condition."""

    name = "logic"
    arity = None
    elementwise = True

    def vjp(self, g: Node, out: Node, *args: Node) -> tuple[Node | None, ...]:
        return (None,) * len(args)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        if n.attrs.op == "not":
            return S.apply(sp.Not, args[0])
        return S.binary(getattr(sp, _LOGIC_SYMPY[n.attrs.op]), args[0], args[1])

    def latex(self, p: Any, n: Node) -> str:
        if n.attrs.op == "not":
            return rf"\lnot {p.paren(n.args[0], 5)}"
        return f"{p.paren(n.args[0], 2)} {_LOGIC_LATEX[n.attrs.op]} {p.paren(n.args[1], 2)}"

    def numpy(self, p: Any, n: Node) -> str:
        return _call(p, f"np.logical_{n.attrs.op}", n)

    def text(self, p: Any, n: Node) -> str:
        return _call(p, n.attrs.op, n)
