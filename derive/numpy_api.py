"""The numpy the tracer understands: each numpy function, ufunc and ndarray method mapped
onto the operations of :mod:`derive.ops`, most by lowering (var to means, clip to max and
min, tensordot to einsum, stack to concatenate). Shape changes, indexing and writes into
buffers are in :mod:`derive.numpy_shapes`; creation functions in :mod:`derive.numpy_make`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from derive import expr as E
from derive.errors import TraceError
from derive.functions import by_ufunc
from derive.numpy_shapes import getitem, setitem
from derive.ops.einsum import parse_subscripts
from derive.ops.linalg import det, inv, logabsdet
from derive.ops.pointwise import logic
from derive.ops.reduce import cumsum, reduced_count
from derive.traced import FUNCTIONS, HOOKS, METHODS, UFUNCS, Traced, as_node, concrete, known, lift

# ---------------------------------------------------------------- ufuncs


def _binary(build: Callable[[Any, Any], Any], f: Callable[..., Any]) -> Callable[..., Traced]:
    return lambda a, b, **kw: lift(build, f, a, b)


def _unary(build: Callable[[Any], Any], f: Callable[..., Any]) -> Callable[..., Traced]:
    return lambda a, **kw: lift(build, f, a)


def _compare(op: str, f: np.ufunc) -> Callable[..., Traced]:
    return lambda a, b, **kw: lift(lambda x, y: E.compare(op, x, y), f, a, b, dtype=bool)


def _logic(op: str, f: np.ufunc) -> Callable[..., Traced]:
    return lambda *args, **kw: lift(lambda *n: logic(op, *n), f, *args, dtype=bool)


def _constants_only(f: np.ufunc) -> Callable[..., Any]:
    """floor, round, mod: piecewise constant; computed on constants, refused otherwise."""
    def handler(*args: Any, **kw: Any) -> Any:
        if not all(known(a) for a in args):
            raise TraceError(f"numpy.{f.__name__} of a value that depends on a differentiated "
                             "input (its derivative is 0 almost everywhere)")
        return lift(lambda *n: E.const(f(*(concrete(a) for a in args))), f, *args)

    return handler


def _hypot(a: Any, b: Any, **kw: Any) -> Traced:
    return lift(lambda x, y: E.fn("sqrt", E.add(E.power(x, E.const(2.0)),
                                                E.power(y, E.const(2.0)))), np.hypot, a, b)


UFUNCS.update({
    np.add: _binary(E.add, np.add), np.subtract: _binary(E.sub, np.subtract),
    np.multiply: _binary(E.mul, np.multiply), np.divide: _binary(E.div, np.divide),
    np.power: _binary(E.power, np.power), np.float_power: _binary(E.power, np.float_power),
    np.matmul: _binary(E.matmul, np.matmul), np.maximum: _binary(E.maximum, np.maximum),
    np.minimum: _binary(E.minimum, np.minimum), np.logaddexp: _binary(E.logaddexp, np.logaddexp),
    np.fmax: _binary(E.maximum, np.fmax), np.fmin: _binary(E.minimum, np.fmin),
    np.negative: _unary(E.neg, np.negative), np.positive: lambda a, **kw: a,
    np.square: _unary(lambda x: E.power(x, E.const(2.0)), np.square),
    np.reciprocal: _unary(lambda x: E.div(E.const(1.0), x), np.reciprocal),
    np.hypot: _hypot,
    np.greater: _compare(">", np.greater), np.greater_equal: _compare(">=", np.greater_equal),
    np.less: _compare("<", np.less), np.less_equal: _compare("<=", np.less_equal),
    np.equal: _compare("==", np.equal), np.not_equal: _compare("!=", np.not_equal),
    np.logical_and: _logic("and", np.logical_and), np.logical_or: _logic("or", np.logical_or),
    np.logical_xor: _logic("xor", np.logical_xor), np.logical_not: _logic("not", np.logical_not),
    np.bitwise_and: _logic("and", np.logical_and), np.bitwise_or: _logic("or", np.logical_or),
})
for _f in (np.floor, np.ceil, np.rint, np.trunc, np.mod, np.floor_divide, np.remainder,
           np.isnan, np.isfinite, np.isinf):
    UFUNCS[_f] = _constants_only(_f)
for _u, _name in by_ufunc().items():
    UFUNCS[_u] = (lambda n, u: lambda a, **kw: lift(lambda x: E.fn(n, x), u, a))(_name, _u)


# ---------------------------------------------------------------- reductions


def reduction(op: str) -> Callable[..., Traced]:
    numpy_f = {"sum": np.sum, "mean": np.mean, "amax": np.max, "amin": np.min,
               "prod": np.prod}[op]

    def handler(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
                keepdims: bool = False, **kw: Any) -> Traced:
        if out is not None:
            raise TraceError(f"numpy.{numpy_f.__name__}(out=...)")
        axis = tuple(axis) if isinstance(axis, list) else axis
        return lift(lambda x: E.reduce(op, x, axis, bool(keepdims)),
                    lambda v: numpy_f(v, axis=axis, keepdims=bool(keepdims)), a)

    return handler


def _count(a: Any, axis: Any, ddof: int) -> Any:
    """How many entries var averages, less ddof: by name where the sizes come from inputs
    (n for X.shape[0]), as the mean's 1/n is, so the variance holds at every size."""
    node = as_node(a)
    nd = len(node.shape)
    axes = tuple(range(nd)) if axis is None else tuple(
        int(x) % nd for x in (axis if isinstance(axis, tuple) else (axis,)))
    size = int(np.prod([node.shape[i] for i in axes]))
    count = reduced_count(node, axes)
    if count.op == "const":  # no size known by name: the number
        return float(size - ddof)
    if ddof:
        count = E.sub(count, E.const(float(ddof)))
    return Traced(count, np.asarray(float(size - ddof)))


def var(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: int = 0,
        keepdims: bool = False, **kw: Any) -> Traced:
    """mean((a - mean(a))^2) * n / (n - ddof), written with the operations it is made of."""
    axis = tuple(axis) if isinstance(axis, list) else axis
    d = a - reduction("mean")(a, axis=axis, keepdims=True)
    total = reduction("sum")(d * d, axis=axis, keepdims=keepdims)
    return total / _count(a, axis, ddof)


def std(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: int = 0,
        keepdims: bool = False, **kw: Any) -> Traced:
    return np.sqrt(var(a, axis=axis, ddof=ddof, keepdims=keepdims))


def _cumsum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Traced:
    return lift(lambda x: cumsum(x, axis), lambda v: np.cumsum(v, axis=axis), a)


def clip(a: Any, a_min: Any = None, a_max: Any = None, out: Any = None, **kw: Any) -> Any:
    """max(min(a, a_max), a_min): the kinks at the bounds come with max and min."""
    if out is not None:
        raise TraceError("numpy.clip(out=...)")
    lo = kw.get("min", a_min)
    hi = kw.get("max", a_max)
    if lo is not None:
        a = np.maximum(a, lo)
    if hi is not None:
        a = np.minimum(a, hi)
    return a


# ---------------------------------------------------------------- products


def _matmul_like(subs: str) -> bool:
    """'ij,jk->ik' (a plain matrix product, written as one)."""
    left, _, out = subs.partition("->")
    ops = left.split(",")
    return len(ops) == 2 and len(ops[0]) == len(ops[1]) == 2 and len(out) == 2 and \
        ops[0][1] == ops[1][0] and out == ops[0][0] + ops[1][1] and \
        len({ops[0][0], ops[0][1], ops[1][1]}) == 3


def einsum(subscripts: Any, *operands: Any, **kw: Any) -> Traced:
    if not isinstance(subscripts, str):
        raise TraceError("numpy.einsum with operand lists instead of subscripts")
    attrs = parse_subscripts(subscripts, len(operands))
    if _matmul_like(attrs.spec):
        return np.matmul(*operands)
    return lift(lambda *n: E.einsum(attrs, *n), lambda *v: np.einsum(attrs.spec, *v), *operands)


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def tensordot(a: Any, b: Any, axes: Any = 2) -> Traced:
    na, nb = len(as_node(a).shape), len(as_node(b).shape)
    if isinstance(axes, int):
        axes = (list(range(na - axes, na)), list(range(axes)))
    ax_a, ax_b = ([axes[0]] if isinstance(axes[0], int) else list(axes[0]),
                  [axes[1]] if isinstance(axes[1], int) else list(axes[1]))
    sa = list(_LETTERS[:na])
    sb = list(_LETTERS[na:na + nb])
    for i, j in zip(ax_a, ax_b):
        sb[j % nb] = sa[i % na]
    keep = [c for i, c in enumerate(sa) if i not in [x % na for x in ax_a]] + \
        [c for j, c in enumerate(sb) if j not in [x % nb for x in ax_b]]
    return einsum(f"{''.join(sa)},{''.join(sb)}->{''.join(keep)}", a, b)


def inner(a: Any, b: Any) -> Traced:
    na, nb = len(as_node(a).shape), len(as_node(b).shape)
    if na == 0 or nb == 0:
        return np.multiply(a, b)
    return tensordot(a, b, axes=([-1], [-1]))


def outer(a: Any, b: Any, out: Any = None) -> Traced:
    return einsum("i,j->ij", np.ravel(a), np.ravel(b))


def kron(a: Any, b: Any) -> Traced:
    sa, sb = as_node(a).shape, as_node(b).shape
    if len(sa) == len(sb) == 1:
        return np.reshape(einsum("i,j->ij", a, b), (sa[0] * sb[0],))
    if len(sa) == len(sb) == 2:
        return np.reshape(einsum("ij,kl->ikjl", a, b), (sa[0] * sb[0], sa[1] * sb[1]))
    raise TraceError("numpy.kron of arrays that are not both vectors or both matrices")


def dot(a: Any, b: Any, out: Any = None) -> Traced:
    na, nb = len(as_node(a).shape), len(as_node(b).shape)
    if na == 0 or nb == 0:
        return np.multiply(a, b)
    if nb <= 2:
        return np.matmul(a, b)
    return tensordot(a, b, axes=([-1], [-2]))


def trace(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, **kw: Any) -> Traced:
    if offset or (axis1, axis2) != (0, 1) or len(as_node(a).shape) != 2:
        raise TraceError("numpy.trace other than of a matrix's main diagonal")
    return einsum("ii->", a)


def diag(v: Any, k: int = 0) -> Traced:
    if k:
        raise TraceError("numpy.diag with an offset k")
    shape = as_node(v).shape
    if len(shape) == 2:
        return einsum("ii->i", v)
    if len(shape) == 1:
        return einsum("i,ij->ij", v, np.eye(shape[0]))
    raise TraceError("numpy.diag of an array that is neither a vector nor a matrix")


# ---------------------------------------------------------------- linear algebra


def _linalg(build: Callable[[Any], Any], f: Callable[..., Any]) -> Callable[..., Traced]:
    return lambda a, *args, **kw: lift(build, f, a)


def slogdet(a: Any) -> tuple[Traced, Traced]:
    logdet = lift(logabsdet, lambda v: np.linalg.slogdet(v)[1], a)
    sign = lift(lambda x: E.fn("sign", det(x)), lambda v: np.linalg.slogdet(v)[0], a)
    return sign, logdet


def solve(a: Any, b: Any) -> Traced:
    """inv(a) @ b: the derivative of solve by inv's and matmul's rules."""
    return np.matmul(lift(inv, np.linalg.inv, a), b)


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Any:
    """Vector norms (2, 1, inf) and the Frobenius norm, written as sums; others refused."""
    ndim = len(as_node(x).shape)
    vector = axis is not None and (isinstance(axis, int) or len(axis) == 1) or ndim == 1
    if ord in (None, 2, "fro") and (vector or ord != 2):
        return np.sqrt(reduction("sum")(x * x, axis=axis, keepdims=keepdims))
    if vector and ord == 1:
        return reduction("sum")(np.abs(x), axis=axis, keepdims=keepdims)
    if vector and ord == np.inf:
        return reduction("amax")(np.abs(x), axis=axis, keepdims=keepdims)
    raise TraceError(f"numpy.linalg.norm(ord={ord!r}) of a matrix")


# ---------------------------------------------------------------- the tables

FUNCTIONS.update({
    np.sum: reduction("sum"), np.nansum: reduction("sum"), np.mean: reduction("mean"),
    np.nanmean: reduction("mean"), np.max: reduction("amax"), np.amax: reduction("amax"),
    np.min: reduction("amin"), np.amin: reduction("amin"), np.prod: reduction("prod"),
    np.cumsum: _cumsum, np.var: var, np.std: std, np.clip: clip,
    np.dot: dot, np.matmul: lambda a, b, **kw: np.matmul(a, b), np.einsum: einsum,
    np.tensordot: tensordot, np.inner: inner, np.outer: outer, np.kron: kron,
    np.trace: trace, np.diag: diag,
    np.where: lambda c, *ab: lift(E.where, np.where, c, *ab) if ab else
    _refuse_nonzero(c),
    np.linalg.inv: _linalg(inv, np.linalg.inv), np.linalg.det: _linalg(det, np.linalg.det),
    np.linalg.slogdet: slogdet, np.linalg.solve: solve, np.linalg.norm: norm,
    np.shape: lambda a: a.shape if isinstance(a, Traced) else np.shape(a),
    np.ndim: lambda a: len(as_node(a).shape), np.size: lambda a, axis=None: as_node(a).size
    if axis is None else as_node(a).shape[axis],
})


def _refuse_nonzero(c: Any) -> Any:
    if not known(c):
        raise TraceError("numpy.where(condition) with one argument (indices) of a value that "
                         "depends on a differentiated input")
    return np.nonzero(concrete(c))


def _method(f: Callable[..., Any]) -> Callable[..., Any]:
    return lambda self, *args, **kw: f(self, *args, **kw)


def _reshape_method(self: Traced, *shape: Any, **kw: Any) -> Any:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return np.reshape(self, shape)


def _transpose_method(self: Traced, *axes: Any) -> Any:
    if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        axes = tuple(axes[0])
    return np.transpose(self, axes if axes else None)


def _astype(self: Traced, dtype: Any, **kw: Any) -> Traced:
    if self.value is not None:
        return lift(lambda n: n, lambda v: v.astype(dtype), self)
    if np.dtype(dtype).kind != "f":
        raise TraceError(f"ndarray.astype({np.dtype(dtype)}) of a value that depends on a "
                         "differentiated input")
    return self


def _argextreme(f: Callable[..., Any]) -> Callable[..., Any]:
    def handler(self: Traced, *args: Any, **kw: Any) -> Any:
        if self.value is None:
            raise TraceError(f"ndarray.{f.__name__} of a value that depends on a "
                             "differentiated input")
        return f(self.value, *args, **kw)

    return handler


METHODS.update({
    "sum": _method(reduction("sum")), "mean": _method(reduction("mean")),
    "max": _method(reduction("amax")), "min": _method(reduction("amin")),
    "prod": _method(reduction("prod")), "cumsum": _method(_cumsum), "var": _method(var),
    "std": _method(std), "clip": _method(clip), "dot": _method(dot),
    "reshape": _reshape_method, "transpose": _transpose_method,
    "copy": lambda self, *a, **kw: self, "astype": _astype,
    "flatten": lambda self, *a, **kw: np.reshape(self, (-1,)),
    "ravel": lambda self, *a, **kw: np.reshape(self, (-1,)),
    "squeeze": lambda self, axis=None: np.squeeze(self, axis),
    "swapaxes": lambda self, a, b: np.swapaxes(self, a, b),
    "argmax": _argextreme(np.argmax), "argmin": _argextreme(np.argmin),
    "any": _argextreme(np.any), "all": _argextreme(np.all),
    "nonzero": _argextreme(np.nonzero),
})
HOOKS.update(getitem=getitem, setitem=setitem, reduction=reduction)

# importing these modules registers their handlers too
from derive import numpy_make, numpy_shapes  # noqa: E402, F401
