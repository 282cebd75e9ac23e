"""Formulas in the documents' own notation, and shape errors in words.

``render`` writes a formula of the one formula grammar (:mod:`derive.claim.parse`) the way
the documents do: a matrix product by juxtaposition (δ2 W2ᵀ), the elementwise product as ⊙,
a transpose as ᵀ, each grouping bracketed where two kinds of product meet. ``shape_of``
walks the same tree with sizes by name (n, h1, od), so a product that cannot be formed is
explained by naming its factors, their shapes and where a transpose or a swap makes it
defined; never a numpy message. """

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from derive.claim import ast as A
from derive.formula import Formula

Shape = tuple[str, ...]

_OPS = {"add": " + ", "sub": " − ", "mul": " ⊙ ", "div": " / ", "matmul": " "}
_SAME_SHAPE = {"square", "dsquare", "leaky_relu", "dleaky_relu", "ones_like",
               "f1", "f2", "f3", "df1", "df2", "df3"}
_NAMES = {"sigmoid": "σ", "df1": "f1'", "df2": "f2'", "df3": "f3'",
          "dsquare": "square'", "dleaky_relu": "leaky_relu'"}
_PRODUCTS = ("mul", "matmul")


class ShapeMismatch(Exception):
    """A product or sum whose factors cannot be combined; the message says so in words."""


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _bracket(text: str) -> str:
    return f"[{text}]" if "(" in text else f"({text})"


def _tree(formula: str | A.Ast) -> A.Ast:
    return Formula(formula).tree if isinstance(formula, str) else formula


def render(text: str | A.Ast, names: Mapping[str, str] | None = None) -> str:
    """The formula written in the documents' notation (names mapped through ``names``)."""
    return _render(_tree(text), dict(names or {}))


def _is_bin(node: A.Ast) -> bool:
    return isinstance(node, A.Bin)


def _render(node: A.Ast, names: dict[str, str]) -> str:
    if isinstance(node, A.Bin):
        return _binop(node, names)
    if isinstance(node, A.Neg):
        inner = _render(node.a, names)
        return f"−{_bracket(inner) if _is_bin(node.a) else inner}"
    if isinstance(node, A.Num):
        return _number(node.value)
    if isinstance(node, A.Var):
        return names.get(node.name, node.name)
    if isinstance(node, A.T):
        inner = _render(node.a, names)
        return f"{_bracket(inner) if _is_bin(node.a) else inner}ᵀ"
    if isinstance(node, A.Index):
        key = ", ".join(":" if k is None else str(k) for k in node.key)
        return f"{_render(node.a, names)}[{key}]"
    if isinstance(node, A.Call):
        name = names.get(node.fn, _NAMES.get(node.fn, node.fn)) + "'" * node.order
        return f"{name}({_render(node.a, names)})"
    if isinstance(node, A.Reduce):
        return f"{names.get(node.op, node.op)}({_render(node.a, names)})"
    assert isinstance(node, A.Apply), type(node).__name__
    if node.fn == "ones_like":
        return names.get("ones_like", "𝟏")
    args = ", ".join(_render(a, names) for a in node.args)
    return f"{names.get(node.fn, _NAMES.get(node.fn, node.fn))}({args})"


def _binop(node: A.Bin, names: dict[str, str]) -> str:
    if node.op == "pow" and isinstance(node.b, A.Num):
        base = _render(node.a, names)
        power = {2: "²", 3: "³"}.get(node.b.value, f"^{_number(node.b.value)}")  # type: ignore[call-overload]
        return f"{_bracket(base) if _is_bin(node.a) else base}{power}"
    op = _OPS.get(node.op, " ? ")
    if node.op == "mul" and (_constant(node.a) or _constant(node.b)):
        op = " · "
    parts = []
    for i, child in enumerate((node.a, node.b)):
        text = _render(child, names)
        grouped = isinstance(child, A.Bin) and (child.op != node.op or i == 1) \
            and child.op != "pow"
        if grouped and node.op == "add" and i == 0:
            grouped = child.op not in _PRODUCTS  # type: ignore[union-attr]
        parts.append(_bracket(text) if grouped else text)
    if op == " " and (parts[1][0] in "([" or parts[0][-1] in ")]"):
        op = ""  # juxtaposition beside a bracket: X0ᵀ[(δ2 W2ᵀ) ⊙ f1'(X0 W1)]
    return op.join(parts)


def _constant(node: A.Ast) -> bool:
    return isinstance(node, A.Num) or (isinstance(node, A.Neg) and isinstance(node.a, A.Num))


# --------------------------------------------------------------- shapes by name


def shape_text(shape: Shape) -> str:
    return "×".join(shape) if shape else "a scalar"


def shape_of(text: str | A.Ast, env: Mapping[str, Any],
             dims: Mapping[str, Shape] | None = None,
             names: Mapping[str, str] | None = None) -> Shape | None:
    """The formula's shape, sizes by name where ``dims`` names them; None where the walk
    cannot tell (an index, a Kronecker product). Raises ShapeMismatch, in words."""
    return _shape(_tree(text), env, dict(dims or {}), dict(names or {}))


def _shape(node: A.Ast, env: Mapping[str, Any], dims: dict[str, Shape],
           names: dict[str, str]) -> Shape | None:
    if isinstance(node, A.Num):
        return ()
    if isinstance(node, A.Var):
        if node.name in dims:
            return tuple(dims[node.name])
        return tuple(str(d) for d in np.shape(env[node.name]))
    if isinstance(node, A.T):
        inner = _shape(node.a, env, dims, names)
        return None if inner is None else tuple(reversed(inner))
    if isinstance(node, A.Neg):
        return _shape(node.a, env, dims, names)
    if isinstance(node, A.Reduce):
        return () if node.axis is None else None
    if isinstance(node, A.Call):
        return _shape(node.a, env, dims, names)
    if isinstance(node, A.Apply):
        args = [_shape(a, env, dims, names) for a in node.args]
        if node.fn == "sum_rows":
            return None if args[0] is None else ("1",) + args[0][1:]
        if node.fn == "transpose":
            return None if args[0] is None else tuple(reversed(args[0]))
        return args[0] if node.fn in _SAME_SHAPE else None
    if isinstance(node, A.Bin):
        a = _shape(node.a, env, dims, names)
        b = _shape(node.b, env, dims, names)
        if a is None or b is None:
            return None
        if node.op == "matmul":
            return _matmul(node, a, b, names)
        return _broadcast(node, a, b, names)
    return None


def _matmul(node: A.Bin, a: Shape, b: Shape, names: dict[str, str]) -> Shape:
    if len(a) == 2 and len(b) == 2:
        if a[1] == b[0]:
            return (a[0], b[1])
        left, right = _operand(node.a, names), _operand(node.b, names)
        raise ShapeMismatch(
            f"{left} ({shape_text(a)}) times {right} ({shape_text(b)}) is undefined: the "
            f"inner sizes {a[1]} and {b[0]} differ{_fix(left, right, a, b)}")
    return a[:-1] + b[1:]


def _operand(node: A.Ast, names: dict[str, str]) -> str:
    text = _render(node, names)
    return _bracket(text) if _is_bin(node) else text


def _fix(left: str, right: str, a: Shape, b: Shape) -> str:
    """Where the transpose or the swap belongs, if one makes the product defined."""
    if a == b:
        return (f"; the two have the same shape, so the product meant is the elementwise one, "
                f"{left} ⊙ {right}")
    if b[1] == a[0]:
        return (f"; the other way round, {right} {left} ({shape_text(b)} times "
                f"{shape_text(a)}) is defined and is {shape_text((b[0], a[1]))}")
    if a[1] == b[1]:
        return f"; with the transpose on the right factor, {left} {right}ᵀ is defined"
    if a[0] == b[0]:
        return f"; with the transpose on the left factor, {left}ᵀ {right} is defined"
    return ""


def _broadcast(node: A.Bin, a: Shape, b: Shape, names: dict[str, str]) -> Shape:
    if not a or not b:
        return a or b
    out = []
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y and "1" not in (x, y):
            left, right = _operand(node.a, names), _operand(node.b, names)
            hint = ""
            if len(a) == 2 and len(b) == 2 and b[1] == a[0]:
                hint = (f"; as a matrix product with {right} on the left, {right} {left} "
                        f"({shape_text(b)} times {shape_text(a)}) is defined")
            elif len(a) == 2 and len(b) == 2 and a[1] == b[0]:
                hint = f"; as a matrix product, {left} {right} is defined"
            elif tuple(reversed(b)) == a:
                hint = f"; {right}ᵀ would have the shape of {left}"
            raise ShapeMismatch(
                f"{left} ({shape_text(a)}) and {right} ({shape_text(b)}) cannot be combined "
                f"entry by entry: an elementwise product needs equal shapes{hint}")
        out.append(x if x != "1" else y)
    longer = a if len(a) >= len(b) else b
    return longer[: len(longer) - len(out)] + tuple(reversed(out))
