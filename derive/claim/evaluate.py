"""A parse tree evaluated on arrays by walking it: the documents' formulas, on numpy arrays
or on the tracer's arrays (so a printed premise is differentiated by the engine). Only the
grammar's nodes and a fixed table of functions exist here; nothing is passed to ``eval``.
Every unbracketed run of products is read left to right, as numpy reads it.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from derive.claim import ast as A
from derive.claim.documents import leftmost
from derive.numeric import functions as nf


def _dsigmoid(x: Any) -> Any:
    s = nf.sigmoid(x)
    return s * (1 - s)


def _dleaky_relu(x: Any) -> Any:
    return np.where(x > 0, 1.0, nf.LEAKY_SLOPE)


# (row of derive.functions, order) of derive claim's calls
CALLS: dict[tuple[str, int], Callable[[Any], Any]] = {
    ("sigmoid", 0): nf.sigmoid, ("sigmoid", 1): _dsigmoid, ("tanh", 0): np.tanh,
    ("tanh", 1): lambda x: 1 - np.tanh(x) ** 2, ("exp", 0): np.exp, ("exp", 1): np.exp,
    ("log", 0): np.log, ("log", 1): lambda x: 1 / x, ("relu", 0): nf.relu,
    ("relu", 1): lambda x: np.where(x > 0, 1.0, 0.0),
    ("heaviside", 0): lambda x: np.where(x > 0, 1.0, 0.0),
}

# the documents' vocabulary (derive.claim.documents.DOC_FUNCTIONS)
APPLY: dict[str, Callable[..., Any]] = {
    "ones_like": np.ones_like, "square": nf.square, "dsquare": lambda x: 2 * x,
    "leaky_relu": nf.leaky_relu, "dleaky_relu": _dleaky_relu, "transpose": np.transpose,
    # the post's generic layer functions f1, f2, f3 (each case says which f it checks with)
    "f1": nf.sigmoid, "f2": nf.sigmoid, "f3": nf.sigmoid,
    "df1": _dsigmoid, "df2": _dsigmoid, "df3": _dsigmoid,
    # sums over the batch rows, and the Kronecker products that write a full Jacobian
    "sum_rows": lambda a: np.sum(a, axis=0, keepdims=True),
    "kron": np.kron, "eye_rows": lambda a: np.eye(np.shape(a)[0]),
    "eye_cols": lambda a: np.eye(np.shape(a)[-1]),
}

_BIN: dict[str, Callable[[Any, Any], Any]] = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": operator.truediv,
    "pow": operator.pow, "matmul": operator.matmul,
}
_CMP: dict[str, Callable[[Any, Any], Any]] = {
    ">": operator.gt, "<": operator.lt, ">=": operator.ge, "<=": operator.le,
}


def evaluate(tree: A.Ast, env: Mapping[str, Any]) -> Any:
    """The formula's value with the names bound by ``env``."""
    return _walk(leftmost(tree), env)


def _walk(t: A.Ast, env: Mapping[str, Any]) -> Any:
    if isinstance(t, A.Num):
        return float(t.value)
    if isinstance(t, A.Var):
        return env[t.name]
    if isinstance(t, A.Neg):
        return -_walk(t.a, env)
    if isinstance(t, A.T):
        return _walk(t.a, env).T
    if isinstance(t, A.Bin):
        return _BIN[t.op](_walk(t.a, env), _walk(t.b, env))
    if isinstance(t, A.Call):
        return CALLS[(t.fn, t.order)](_walk(t.a, env))
    if isinstance(t, A.Apply):
        return APPLY[t.fn](*(_walk(x, env) for x in t.args))
    if isinstance(t, A.Reduce):
        f = np.sum if t.op == "sum" else np.mean
        a = _walk(t.a, env)
        return f(a) if t.axis is None and not t.keepdims else f(a, axis=t.axis,
                                                                 keepdims=t.keepdims)
    if isinstance(t, A.Index):
        key = tuple(slice(None) if k is None else k for k in t.key)
        return _walk(t.a, env)[key]
    if isinstance(t, A.Cmp):
        return _CMP[t.op](_walk(t.a, env), _walk(t.b, env)).astype(np.float64)
    if isinstance(t, A.Size):
        return float(np.shape(env[t.input])[t.axis]) if t.input else float(
            next(np.shape(v)[0] for v in env.values() if np.ndim(v) >= 2))
    raise TypeError(f"{type(t).__name__} has no value outside derive claim")
