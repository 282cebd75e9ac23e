"""Formulas in the documents' own notation, and shape errors in words.

``render`` writes a formula of the whitelisted language the way the documents do: a matrix
product by juxtaposition (δ2 W2ᵀ), the elementwise product as ⊙, a transpose as ᵀ, each
grouping bracketed where two kinds of product meet. ``shape_of`` walks the same tree with
sizes by name (n, h1, od), so a product that cannot be formed is explained by naming its
factors, their shapes and where a transpose or a swap makes it defined; never a numpy message.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

import numpy as np

from derive.formula import Formula

Shape = tuple[str, ...]

_OPS = {ast.Add: " + ", ast.Sub: " − ", ast.Mult: " ⊙ ", ast.Div: " / ", ast.MatMult: " "}
_SAME_SHAPE = {"sigmoid", "dsigmoid", "square", "dsquare", "relu", "leaky_relu", "dleaky_relu",
               "exp", "log", "tanh", "ones_like", "f1", "f2", "f3", "df1", "df2", "df3"}
_NAMES = {"sigmoid": "σ", "dsigmoid": "σ'", "df1": "f1'", "df2": "f2'", "df3": "f3'",
          "dsquare": "square'", "dleaky_relu": "leaky_relu'"}


class ShapeMismatch(Exception):
    """A product or sum whose factors cannot be combined; the message says so in words."""


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _bracket(text: str) -> str:
    return f"[{text}]" if "(" in text else f"({text})"


def render(text: str, names: Mapping[str, str] | None = None) -> str:
    """The formula written in the documents' notation (names mapped through ``names``)."""
    return _render(Formula(text).tree, dict(names or {}))


def _render(node: ast.AST, names: dict[str, str]) -> str:
    if isinstance(node, ast.BinOp):
        return _binop(node, names)
    if isinstance(node, ast.UnaryOp):
        inner = _render(node.operand, names)
        return f"−{_bracket(inner) if isinstance(node.operand, ast.BinOp) else inner}"
    if isinstance(node, ast.Constant):
        return _number(node.value)
    if isinstance(node, ast.Name):
        return names.get(node.id, node.id)
    if isinstance(node, ast.Attribute):
        inner = _render(node.value, names)
        return f"{_bracket(inner) if isinstance(node.value, ast.BinOp) else inner}ᵀ"
    if isinstance(node, ast.Subscript):
        return f"{_render(node.value, names)}[{ast.unparse(node.slice)}]"
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    name = node.func.id
    if name == "ones_like":
        return names.get("ones_like", "𝟏")
    args = ", ".join(_render(a, names) for a in node.args)
    return f"{names.get(name, _NAMES.get(name, name))}({args})"


def _binop(node: ast.BinOp, names: dict[str, str]) -> str:
    if isinstance(node.op, ast.Pow) and isinstance(node.right, ast.Constant):
        base = _render(node.left, names)
        power = {2: "²", 3: "³"}.get(node.right.value, f"^{_number(node.right.value)}")
        return f"{_bracket(base) if isinstance(node.left, ast.BinOp) else base}{power}"
    op = _OPS.get(type(node.op), " ? ")
    if isinstance(node.op, ast.Mult) and (_constant(node.left) or _constant(node.right)):
        op = " · "
    parts = []
    for i, child in enumerate((node.left, node.right)):
        text = _render(child, names)
        grouped = isinstance(child, ast.BinOp) and (
            type(child.op) is not type(node.op) or i == 1) and not isinstance(child.op, ast.Pow)
        if grouped and isinstance(node.op, ast.Add) and i == 0:
            grouped = isinstance(child.op, ast.MatMult | ast.Mult) is False
        parts.append(_bracket(text) if grouped else text)
    if op == " " and (parts[1][0] in "([" or parts[0][-1] in ")]"):
        op = ""  # juxtaposition beside a bracket: X0ᵀ[(δ2 W2ᵀ) ⊙ f1'(X0 W1)]
    return op.join(parts)


def _constant(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) or (
        isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant))


# --------------------------------------------------------------- shapes by name


def shape_text(shape: Shape) -> str:
    return "×".join(shape) if shape else "a scalar"


def shape_of(text: str, env: Mapping[str, Any], dims: Mapping[str, Shape] | None = None,
             names: Mapping[str, str] | None = None) -> Shape | None:
    """The formula's shape, sizes by name where ``dims`` names them; None where the walk
    cannot tell (an index, a Kronecker product). Raises ShapeMismatch, in words."""
    f = Formula(text)
    return _shape(f.tree, env, dict(dims or {}), dict(names or {}))


def _shape(node: ast.AST, env: Mapping[str, Any], dims: dict[str, Shape],
           names: dict[str, str]) -> Shape | None:
    if isinstance(node, ast.Constant):
        return ()
    if isinstance(node, ast.Name):
        if node.id in dims:
            return tuple(dims[node.id])
        return tuple(str(d) for d in np.shape(env[node.id]))
    if isinstance(node, ast.Attribute):
        inner = _shape(node.value, env, dims, names)
        return None if inner is None else tuple(reversed(inner))
    if isinstance(node, ast.UnaryOp):
        return _shape(node.operand, env, dims, names)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = [_shape(a, env, dims, names) for a in node.args]
        if node.func.id in ("sum", "mean"):
            return ()
        if node.func.id == "sum_rows":
            return None if args[0] is None else ("1",) + args[0][1:]
        if node.func.id == "transpose":
            return None if args[0] is None else tuple(reversed(args[0]))
        return args[0] if node.func.id in _SAME_SHAPE else None
    if isinstance(node, ast.BinOp):
        a = _shape(node.left, env, dims, names)
        b = _shape(node.right, env, dims, names)
        if a is None or b is None:
            return None
        if isinstance(node.op, ast.MatMult):
            return _matmul(node, a, b, names)
        return _broadcast(node, a, b, names)
    return None


def _matmul(node: ast.BinOp, a: Shape, b: Shape, names: dict[str, str]) -> Shape:
    if len(a) == 2 and len(b) == 2:
        if a[1] == b[0]:
            return (a[0], b[1])
        left, right = _operand(node.left, names), _operand(node.right, names)
        raise ShapeMismatch(
            f"{left} ({shape_text(a)}) times {right} ({shape_text(b)}) is undefined: the "
            f"inner sizes {a[1]} and {b[0]} differ{_fix(left, right, a, b)}")
    return a[:-1] + b[1:]


def _operand(node: ast.AST, names: dict[str, str]) -> str:
    text = _render(node, names)
    return _bracket(text) if isinstance(node, ast.BinOp) else text


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


def _broadcast(node: ast.BinOp, a: Shape, b: Shape, names: dict[str, str]) -> Shape:
    if not a or not b:
        return a or b
    out = []
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y and "1" not in (x, y):
            left, right = _operand(node.left, names), _operand(node.right, names)
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
