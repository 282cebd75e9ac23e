"""A whitelisted formula language for the documents' printed formulas.

A formula such as ``ones_like(S) * dsigmoid(N) @ W.T`` is parsed with :mod:`ast` and
evaluated by walking the tree: only numbers, known names, the arithmetic operators
(including ``@``), ``.T`` and a fixed set of functions are allowed. Nothing is passed to
``eval`` or ``sympify``. The same formula evaluates on numpy arrays and on traced
arrays, so a printed premise can be differentiated by the engine and a printed
derivative compared with the result. Operator precedence is Python's: ``*`` and ``@``
bind equally, left to right, which is how a reader of numpy code reads them.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from derive.errors import InputError
from derive.numeric import functions as nf


def _dsigmoid(x: Any) -> Any:
    s = nf.sigmoid(x)
    return s * (1 - s)


def _dleaky_relu(x: Any) -> Any:
    return np.where(x > 0, 1.0, nf.LEAKY_SLOPE)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "sigmoid": nf.sigmoid, "dsigmoid": _dsigmoid,
    "square": nf.square, "dsquare": lambda x: 2 * x,
    "relu": nf.relu, "leaky_relu": nf.leaky_relu, "dleaky_relu": _dleaky_relu,
    "exp": np.exp, "log": np.log, "tanh": np.tanh,
    "sum": np.sum, "mean": np.mean, "ones_like": np.ones_like, "transpose": np.transpose,
    # the post's generic layer functions f1, f2, f3 (each case says which f it checks with)
    "f1": nf.sigmoid, "f2": nf.sigmoid, "f3": nf.sigmoid,
    "df1": _dsigmoid, "df2": _dsigmoid, "df3": _dsigmoid,
    # sums over the batch rows, and the Kronecker products that write a full Jacobian
    "sum_rows": lambda a: np.sum(a, axis=0, keepdims=True),
    "kron": np.kron, "eye_rows": lambda a: np.eye(np.shape(a)[0]),
    "eye_cols": lambda a: np.eye(np.shape(a)[-1]),
}

_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.Pow: operator.pow, ast.MatMult: operator.matmul,
}
_UNARY: dict[type, Callable[[Any], Any]] = {ast.USub: operator.neg, ast.UAdd: operator.pos}
MAX_LENGTH = 500  # a printed formula is a line or two; anything longer is not one


class Formula:
    """A parsed, validated formula; call it with named arrays."""

    def __init__(self, text: str) -> None:
        if len(text) > MAX_LENGTH:
            raise InputError(f"formula longer than {MAX_LENGTH} characters")
        try:
            self.tree = ast.parse(text.strip(), mode="eval").body
        except SyntaxError as exc:
            raise InputError(f"formula {text!r} is not valid: {exc.msg}") from None
        self.text = text
        self.names: list[str] = []
        self._validate(self.tree)

    def _validate(self, node: ast.AST) -> None:
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            self._validate(node.left)
            self._validate(node.right)
        elif isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            self._validate(node.operand)
        elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
            pass
        elif isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                raise InputError(f"{node.id!r} is a function; call it")
            if node.id not in self.names:
                self.names.append(node.id)
        elif isinstance(node, ast.Attribute) and node.attr == "T":
            self._validate(node.value)
        elif isinstance(node, ast.Subscript) and _index(node.slice) is not None:
            self._validate(node.value)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in FUNCTIONS and not node.keywords:
            for a in node.args:
                self._validate(a)
        else:
            raise InputError(f"formula {self.text!r}: {ast.dump(node)[:60]} is not allowed")

    def __call__(self, **env: Any) -> Any:
        missing = [n for n in self.names if n not in env]
        if missing:
            raise InputError(f"formula {self.text!r} needs values for {missing}")
        return _walk(self.tree, env)


def _index(node: ast.AST) -> Any:
    """An index of integer constants and bare ``:`` (x[0, 2], W[:, 1]); None for anything else."""
    parts = node.elts if isinstance(node, ast.Tuple) else [node]
    out: list[Any] = []
    for p in parts:
        if isinstance(p, ast.Constant) and type(p.value) is int:
            out.append(p.value)
        elif isinstance(p, ast.Slice) and p.lower is None and p.upper is None and p.step is None:
            out.append(slice(None))
        else:
            return None
    return tuple(out)


def _walk(node: ast.AST, env: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.BinOp):
        return _BINOPS[type(node.op)](_walk(node.left, env), _walk(node.right, env))
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_walk(node.operand, env))
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.Attribute):
        return _walk(node.value, env).T
    if isinstance(node, ast.Subscript):
        return _walk(node.value, env)[_index(node.slice)]
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    return FUNCTIONS[node.func.id](*(_walk(a, env) for a in node.args))


def as_function(text: str) -> tuple[Callable[..., Any], list[str]]:
    """The formula as a function of keyword arrays (for the tracer), and the names it reads."""
    f = Formula(text)

    def premise(**env: Any) -> Any:
        return f(**env)

    return premise, f.names
