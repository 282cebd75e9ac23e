"""Turn plain numpy forward code into a graph of named steps.

The forward function runs on :class:`Traced` arrays, whose ``__array_ufunc__`` and
``__array_function__`` record each numpy call as a :class:`~derive.expr.Node`. The
names of the steps are the forward function's own local variables (N, S, P, ...),
read from its frame when it returns, so a case written the way the documents write
their code gets the documents' notation for free. Nested helper functions (a user's
``sigmoid``) fuse into the step that calls them.

This is the one mechanism that builds every graph: the documents' cases and a user's
module alike.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from derive import expr as E
from derive.errors import TraceError
from derive.expr import Node
from derive.functions import by_ufunc

_BINARY = {
    np.add: E.add, np.subtract: E.sub, np.multiply: E.mul, np.divide: E.div,
    np.true_divide: E.div, np.power: E.power, np.matmul: E.matmul, np.maximum: E.maximum,
    np.minimum: E.minimum, np.logaddexp: E.logaddexp,
}
_COMPARE = {
    np.greater: ">", np.greater_equal: ">=", np.less: "<", np.less_equal: "<=",
    np.equal: "==", np.not_equal: "!=",
}


class Traced:
    """An array stand-in that records what numpy does to it."""

    __array_priority__ = 1000

    def __init__(self, node: Node) -> None:
        self.node = node

    # -- array protocol -------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.node.shape

    @property
    def ndim(self) -> int:
        return len(self.node.shape)

    @property
    def size(self) -> int:
        return self.node.size

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(np.float64)

    @property
    def T(self) -> Traced:  # noqa: N802 - numpy's name
        return Traced(E.transpose(self.node))

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __derive_apply__(self, name: str) -> Traced:
        """Called by :mod:`numeric.functions` helpers: record them as one table function."""
        return Traced(E.fn(name, self.node))

    def __array__(self, *args: Any, **kwargs: Any) -> np.ndarray:
        raise TraceError("converting a traced array to a plain numpy array (np.asarray / float())")

    def __float__(self) -> float:
        raise TraceError("float() of a traced array")

    def __bool__(self) -> bool:
        raise TraceError("a Python if/while on array values (use np.where)")

    def __getitem__(self, key: Any) -> Traced:
        stored = E.index_key(key, len(self.node.shape))
        if stored is None:
            raise TraceError("indexing an array with other than integers and slices ([...])")
        return Traced(E.getitem(self.node, stored))

    # -- methods numpy users call -------------------------------------------
    def sum(self, axis: Any = None, keepdims: bool = False, **kw: Any) -> Traced:
        return Traced(E.reduce("sum", self.node, axis, keepdims))

    def mean(self, axis: Any = None, keepdims: bool = False, **kw: Any) -> Traced:
        return Traced(E.reduce("mean", self.node, axis, keepdims))

    def max(self, axis: Any = None, out: Any = None, keepdims: bool = False, **kw: Any
            ) -> Traced:
        return Traced(E.reduce("amax", self.node, axis, keepdims))

    def min(self, axis: Any = None, out: Any = None, keepdims: bool = False, **kw: Any
            ) -> Traced:
        return Traced(E.reduce("amin", self.node, axis, keepdims))

    def transpose(self, *axes: Any) -> Traced:
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return Traced(E.transpose(self.node, tuple(axes) if axes else None))

    def reshape(self, *shape: Any, **kw: Any) -> Traced:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return Traced(E.reshape(self.node, shape))

    def dot(self, other: Any) -> Traced:
        return Traced(E.matmul(self.node, as_node(other)))

    def copy(self) -> Traced:
        return self

    def astype(self, dtype: Any, **kw: Any) -> Traced:
        return self

    # -- operators ----------------------------------------------------------
    def __add__(self, o: Any) -> Traced: return _bin(E.add, self, o)
    def __radd__(self, o: Any) -> Traced: return _bin(E.add, o, self)
    def __sub__(self, o: Any) -> Traced: return _bin(E.sub, self, o)
    def __rsub__(self, o: Any) -> Traced: return _bin(E.sub, o, self)
    def __mul__(self, o: Any) -> Traced: return _bin(E.mul, self, o)
    def __rmul__(self, o: Any) -> Traced: return _bin(E.mul, o, self)
    def __truediv__(self, o: Any) -> Traced: return _bin(E.div, self, o)
    def __rtruediv__(self, o: Any) -> Traced: return _bin(E.div, o, self)
    def __pow__(self, o: Any) -> Traced: return _bin(E.power, self, o)
    def __rpow__(self, o: Any) -> Traced: return _bin(E.power, o, self)
    def __matmul__(self, o: Any) -> Traced: return _bin(E.matmul, self, o)
    def __rmatmul__(self, o: Any) -> Traced: return _bin(E.matmul, o, self)
    def __neg__(self) -> Traced: return Traced(E.neg(self.node))
    def __pos__(self) -> Traced: return self
    def __abs__(self) -> Traced: return Traced(E.fn("abs", self.node))
    def __gt__(self, o: Any) -> Traced: return Traced(E.compare(">", self.node, as_node(o)))
    def __ge__(self, o: Any) -> Traced: return Traced(E.compare(">=", self.node, as_node(o)))
    def __lt__(self, o: Any) -> Traced: return Traced(E.compare("<", self.node, as_node(o)))
    def __le__(self, o: Any) -> Traced: return Traced(E.compare("<=", self.node, as_node(o)))

    # Without these, x == 0 would be Python's identity test: a constant False, silently.
    def __eq__(self, o: object) -> Traced:  # type: ignore[override]
        return Traced(E.compare("==", self.node, as_node(o)))

    def __ne__(self, o: object) -> Traced:  # type: ignore[override]
        return Traced(E.compare("!=", self.node, as_node(o)))

    __hash__ = object.__hash__

    # -- numpy dispatch -----------------------------------------------------
    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kw: Any) -> Any:
        if method != "__call__" or kw.get("out") is not None:
            raise TraceError(f"numpy.{ufunc.__name__}.{method}")
        nodes = [as_node(x) for x in inputs]
        if ufunc in _BINARY:
            return Traced(_BINARY[ufunc](*nodes))
        if ufunc in _COMPARE:
            return Traced(E.compare(_COMPARE[ufunc], *nodes))
        if ufunc is np.negative:
            return Traced(E.neg(nodes[0]))
        if ufunc is np.square:
            return Traced(E.power(nodes[0], E.const(2.0)))
        if ufunc is np.reciprocal:
            return Traced(E.div(E.const(1.0), nodes[0]))
        name = by_ufunc().get(ufunc)
        if name is not None:
            return Traced(E.fn(name, nodes[0]))
        raise TraceError(f"numpy.{ufunc.__name__}")

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        handler = _FUNCTIONS.get(func)
        if handler is None:
            raise TraceError(f"numpy.{getattr(func, '__name__', func)}")
        return handler(*args, **kwargs)


def as_node(x: Any) -> Node:
    """A traced value's node, or a constant for a plain number or array."""
    if isinstance(x, Traced):
        return x.node
    a = np.asarray(x, dtype=np.float64)
    return E.const(a, a.shape)


def _bin(op: Callable[[Node, Node], Node], a: Any, b: Any) -> Traced:
    return Traced(op(as_node(a), as_node(b)))


def _reduce(op: str) -> Callable[..., Traced]:
    def handler(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
                keepdims: bool = False, **kw: Any) -> Traced:
        return Traced(E.reduce(op, as_node(a), axis, bool(keepdims)))

    return handler


def _extreme(op: str) -> Callable[..., Traced]:
    """np.max/np.min (and amax/amin): no dtype argument, unlike sum and mean."""
    def handler(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False,
                **kw: Any) -> Traced:
        return Traced(E.reduce(op, as_node(a), axis, bool(keepdims)))

    return handler


def _transpose(a: Any, axes: Any = None) -> Traced:
    return Traced(E.transpose(as_node(a), None if axes is None else tuple(axes)))


def _like(value: float) -> Callable[..., Any]:
    def handler(a: Any, dtype: Any = None, **kw: Any) -> Any:
        shape = as_node(a).shape
        return np.full(shape, value, dtype=np.float64)

    return handler


def _where(c: Any, a: Any, b: Any) -> Traced:
    return Traced(E.where(as_node(c), as_node(a), as_node(b)))


def _dot(a: Any, b: Any, out: Any = None) -> Traced:
    na, nb = as_node(a), as_node(b)
    if not na.shape or not nb.shape:
        return Traced(E.mul(na, nb))
    return Traced(E.matmul(na, nb))


_FUNCTIONS: dict[Any, Callable[..., Any]] = {
    np.sum: _reduce("sum"),
    np.mean: _reduce("mean"),
    np.max: _extreme("amax"),
    np.min: _extreme("amin"),
    np.dot: _dot,
    np.matmul: lambda a, b, **kw: Traced(E.matmul(as_node(a), as_node(b))),
    np.transpose: _transpose,
    np.reshape: lambda a, shape, **kw: Traced(E.reshape(as_node(a), tuple(np.atleast_1d(shape)))),
    np.ones_like: _like(1.0),
    np.zeros_like: _like(0.0),
    np.where: _where,
    np.shape: lambda a: as_node(a).shape,
    np.ndim: lambda a: len(as_node(a).shape),
    np.size: lambda a, axis=None: as_node(a).size,
}


# ------------------------------------------------------------------ tracing


def trace(forward: Callable[..., Any], shapes: Mapping[str, tuple[int, ...]],
          constants: Mapping[str, np.ndarray] | None = None) -> tuple[Node, dict[str, Node]]:
    """Run ``forward`` on traced inputs; return the output node and the input leaves.

    Inputs in ``constants`` enter as leaves too (so they print by name), but the
    caller decides which leaves are differentiated. Steps are named after the
    forward function's locals.
    """
    inputs = {k: E.leaf(k, tuple(s)) for k, s in shapes.items()}
    for k, v in (constants or {}).items():
        inputs.setdefault(k, E.leaf(k, np.shape(v)))
    args = {k: Traced(n) for k, n in inputs.items()}
    result, local_vars = _call_capturing_locals(forward, args)
    if not isinstance(result, Traced):
        raise TraceError("forward returned a value that does not depend on the inputs")
    names: dict[int, str] = {}
    for k, v in local_vars.items():
        if isinstance(v, Traced) and k not in args:
            names.setdefault(v.node.uid, k)
    out = _name_steps(result.node, names, inputs)
    return out, inputs


def _call_capturing_locals(f: Callable[..., Any], args: Mapping[str, Any]) -> tuple[Any, dict]:
    """Call ``f(**args)`` and return its result and the locals of its frame at return."""
    target = getattr(f, "__code__", None)
    captured: dict[str, Any] = {}

    def profiler(frame: Any, event: str, arg: Any) -> None:
        if event == "return" and frame.f_code is target and not captured:
            captured.update(frame.f_locals)

    old = sys.getprofile()
    sys.setprofile(profiler)
    try:
        result = f(**args)
    finally:
        sys.setprofile(old)
    return result, captured


def _name_steps(out: Node, names: dict[int, str], inputs: dict[str, Node]) -> Node:
    """Give the named locals' nodes their names; the output is named too (L by default)."""
    used = set(inputs)
    mapping: dict[int, Node] = {}
    for node in E.topological(out):
        name = names.get(node.uid)
        if node is out and name is None:
            name = "L" if "L" not in used else "output"
        if name is not None and not node.is_leaf and name not in used:
            used.add(name)
            mapping[node.uid] = node.named(name)
    if not mapping:
        return out
    # Rebuild bottom-up so named nodes reference named arguments.
    memo: dict[int, Node] = {}
    for n in E.topological(out):
        args = tuple(memo[a.uid] for a in n.args)
        base = mapping.get(n.uid, n)
        memo[n.uid] = base if args == base.args else E.Node(
            base.op, args, base.shape, base.attrs, base.name)
    return memo[out.uid]


def parameters(forward: Callable[..., Any]) -> list[str]:
    """The forward function's argument names, in order."""
    return [p.name for p in inspect.signature(forward).parameters.values()
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
