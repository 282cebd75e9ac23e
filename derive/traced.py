"""The array stand-in that records what numpy does to it.

A :class:`Traced` holds a node of the graph and, when the value depends on constants only
(targets, integer labels, masks, arrays the forward creates), that concrete value too. So
integer labels index (``logp[np.arange(n), y]`` stays ``y`` in the graph, by name), Python
control flow on constants works, and arrays the forward fills in (``out[n, f] = ...``) are
recorded as writes. A value that depends on a differentiated input has no concrete value:
a Python ``if`` on it is where tracing stops, and says so.

The numpy functions and ufuncs it maps are registered in :data:`FUNCTIONS` and
:data:`UFUNCS` by :mod:`derive.numpy_api`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from derive import expr as E
from derive.errors import TraceError
from derive.expr import Node

FUNCTIONS: dict[Any, Callable[..., Any]] = {}  # numpy function -> handler
# ndarray methods, and the handlers for indexing and reductions: filled in by numpy_api too,
# so that this module never imports it (it imports this one)
METHODS: dict[str, Callable[..., Any]] = {}
HOOKS: dict[str, Callable[..., Any]] = {}
UFUNCS: dict[np.ufunc, Callable[..., Any]] = {}  # numpy ufunc -> handler of its __call__


class Specialization:
    """Where the graph depends on the values of constants (a Python if on a label, int() of
    one): the derivation then holds for these values only, and is redone per point."""

    reasons: list[str] = []


def specialize(why: str) -> None:
    if why not in Specialization.reasons:
        Specialization.reasons.append(why)


class Dim(int):
    """A size read off an input's shape (X.shape[0]): an int that remembers where it came
    from, so generated code and printed math name it instead of writing the number."""

    source: tuple[str, int]

    def __new__(cls, value: int, source: tuple[str, int]) -> Dim:
        d = super().__new__(cls, value)
        d.source = source
        return d

    def __mul__(self, other: Any) -> Any:  # n * t rows of a flattened (n, t, v) array
        return Size.product(self, other)

    __rmul__ = __mul__


class Size(int):
    """A product of sizes read off inputs (n * t): an int with the node that computes it."""

    node: Node

    @classmethod
    def product(cls, a: int, b: Any) -> Any:
        """a * b, by name when both are sizes by name (else the plain number)."""
        if not isinstance(b, (Dim, Size)):  # a number, or NotImplemented: b's own rule
            return int.__mul__(int(a), b)  # (a traced array keeps the size's name itself)
        s = super().__new__(cls, int(a) * int(b))
        s.node = E.mul(as_node(a), as_node(b))
        return s

    def __mul__(self, other: Any) -> Any:
        return Size.product(self, other)

    __rmul__ = __mul__


class Traced:
    """A node of the graph, with its concrete value when that depends on constants only."""

    __array_priority__ = 1000

    def __init__(self, node: Node, value: np.ndarray | None = None,
                 dtype: np.dtype | None = None) -> None:
        self.node = node
        self.value = None if value is None else np.asarray(value)
        if self.value is not None:
            self.dtype = self.value.dtype
        else:
            self.dtype = np.dtype(np.float64) if dtype is None else np.dtype(dtype)

    # -- array protocol -------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        n = self.node
        if n.op == "input" and n.name:
            return tuple(Dim(s, (n.name, i)) for i, s in enumerate(n.shape))
        return n.shape

    @property
    def ndim(self) -> int:
        return len(self.node.shape)

    @property
    def size(self) -> int:
        return self.node.size

    @property
    def T(self) -> Traced:  # noqa: N802 - numpy's name
        return lift(E.transpose, np.transpose, self)

    def __len__(self) -> int:
        if not self.node.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self) -> Iterator[Traced]:
        for i in range(len(self)):
            yield self[i]

    def __derive_apply__(self, name: str) -> Traced:
        """Called by :mod:`derive.numeric.functions` helpers: record them as one table
        function (sigmoid, relu, ...)."""
        from derive.functions import lookup

        return lift(lambda a: E.fn(name, a), lookup(name).num, self)

    # -- conversions: fine on constants (the graph then holds for these values only) --------
    def _concrete(self, what: str) -> np.ndarray:
        if self.value is None:
            raise TraceError(what)
        if self.node.op != "const":
            specialize(f"{what} on a constant input")
        return self.value

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        v = self._concrete("converting a traced array to a plain numpy array "
                           "(np.asarray, np.array, a numpy call the tracer does not map)")
        return v if dtype is None else v.astype(dtype)

    def __float__(self) -> float:
        return float(self._concrete("float() of an array that depends on a differentiated "
                                    "input"))

    def __int__(self) -> int:
        return int(self._concrete("int() of an array that depends on a differentiated input"))

    def __index__(self) -> int:
        return int(self._concrete("an index that depends on a differentiated input"))

    def __bool__(self) -> bool:
        return bool(self._concrete("a Python if/while on values that depend on a "
                                   "differentiated input (use np.where)"))

    def item(self, *args: Any) -> Any:
        return self._concrete(".item() of a value that depends on a differentiated "
                              "input").item(*args)

    def tolist(self) -> Any:
        return self._concrete(".tolist() of a value that depends on a differentiated "
                              "input").tolist()

    # -- indexing and writes ---------------------------------------------------
    def __getitem__(self, key: Any) -> Traced:
        return HOOKS["getitem"](self, key)

    def __setitem__(self, key: Any, value: Any) -> None:
        new = HOOKS["setitem"](self, key, value)
        self.node, self.value, self.dtype = new.node, new.value, new.dtype

    # -- methods numpy users call (numpy_api holds the functions) ---------------
    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # numpy and Python probe protocols by name: not ours
            raise AttributeError(name)
        method = METHODS.get(name)
        if method is None:
            raise TraceError(f"ndarray.{name}")
        return lambda *args, **kwargs: method(self, *args, **kwargs)

    # -- operators ----------------------------------------------------------
    def __add__(self, o: Any) -> Any: return np.add(self, o)
    def __radd__(self, o: Any) -> Any: return np.add(o, self)
    def __sub__(self, o: Any) -> Any: return np.subtract(self, o)
    def __rsub__(self, o: Any) -> Any: return np.subtract(o, self)
    def __mul__(self, o: Any) -> Any: return np.multiply(self, o)
    def __rmul__(self, o: Any) -> Any: return np.multiply(o, self)
    def __truediv__(self, o: Any) -> Any: return np.true_divide(self, o)
    def __rtruediv__(self, o: Any) -> Any: return np.true_divide(o, self)
    def __pow__(self, o: Any) -> Any: return np.power(self, o)
    def __rpow__(self, o: Any) -> Any: return np.power(o, self)
    def __matmul__(self, o: Any) -> Any: return np.matmul(self, o)
    def __rmatmul__(self, o: Any) -> Any: return np.matmul(o, self)
    def __neg__(self) -> Any: return np.negative(self)
    def __pos__(self) -> Traced: return self
    def __abs__(self) -> Any: return np.abs(self)
    def __gt__(self, o: Any) -> Any: return np.greater(self, o)
    def __ge__(self, o: Any) -> Any: return np.greater_equal(self, o)
    def __lt__(self, o: Any) -> Any: return np.less(self, o)
    def __le__(self, o: Any) -> Any: return np.less_equal(self, o)
    def __and__(self, o: Any) -> Any: return np.logical_and(self, o)
    def __or__(self, o: Any) -> Any: return np.logical_or(self, o)
    def __invert__(self) -> Any: return np.logical_not(self)
    def __floordiv__(self, o: Any) -> Any: return np.floor_divide(self, o)
    def __mod__(self, o: Any) -> Any: return np.mod(self, o)

    # Without these, x == 0 would be Python's identity test: a constant False, silently.
    def __eq__(self, o: object) -> Any:  # type: ignore[override]
        return np.equal(self, o)

    def __ne__(self, o: object) -> Any:  # type: ignore[override]
        return np.not_equal(self, o)

    __hash__ = object.__hash__

    # -- numpy dispatch -----------------------------------------------------
    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kw: Any) -> Any:
        if method == "reduce" and ufunc in _REDUCERS:
            return HOOKS["reduction"](_REDUCERS[ufunc])(*inputs, **kw)
        if method != "__call__" or kw.get("out") is not None:
            return _unmapped(f"numpy.{ufunc.__name__}.{method}" if method != "__call__"
                             else f"numpy.{ufunc.__name__}(out=...)", ufunc, method,
                             inputs, kw)
        handler = UFUNCS.get(ufunc)
        if handler is None:
            return _unmapped(f"numpy.{ufunc.__name__}", ufunc, method, inputs, kw)
        return handler(*inputs, **{k: v for k, v in kw.items() if k not in ("dtype", "casting")})

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        handler = FUNCTIONS.get(func)
        if handler is None:
            name = getattr(func, "__module__", "numpy").replace("numpy.linalg._linalg",
                                                                "numpy.linalg")
            name = "numpy.linalg" if name.startswith("numpy.linalg") else "numpy"
            return _unmapped(f"{name}.{getattr(func, '__name__', func)}", func, None, args,
                             kwargs)
        return handler(*args, **kwargs)

    def __repr__(self) -> str:
        known = "" if self.value is None else ", constant"
        return f"Traced({self.node!r}{known})"


_REDUCERS = {np.add: "sum", np.multiply: "prod", np.maximum: "amax", np.minimum: "amin"}


def _unmapped(what: str, f: Any, method: str | None, args: Any, kwargs: Any) -> Any:
    """A numpy call the tracer does not map: computed on constants (the graph then holds
    for these values only), else the tracer stops here and names the call."""
    flat = list(args) + [v for a in args if isinstance(a, (list, tuple)) for v in a]
    if any(isinstance(a, Traced) and a.value is None for a in flat):
        raise TraceError(what)
    specialize(what)

    def concrete(a: Any) -> Any:
        if isinstance(a, Traced):
            return a.value
        if isinstance(a, (list, tuple)):
            return type(a)(concrete(x) for x in a)
        return a

    args = [concrete(a) for a in args]
    kwargs = {k: concrete(v) for k, v in kwargs.items()}
    if method is None:
        return f(*args, **kwargs)
    return getattr(f, method)(*args, **kwargs) if method != "__call__" else f(*args, **kwargs)


# ---------------------------------------------------------------- building traced values


def as_node(x: Any) -> Node:
    """A traced value's node, or a constant for a plain number or array."""
    if isinstance(x, Traced):
        return x.node
    if isinstance(x, Dim):
        return E.dim(*x.source, int(x))
    if isinstance(x, Size):
        return x.node
    return E.const(np.asarray(x))


def known(x: Any) -> bool:
    """Whether x has a concrete value (a plain number or array, or a constant Traced)."""
    return not isinstance(x, Traced) or x.value is not None


def concrete(x: Any) -> Any:
    return x.value if isinstance(x, Traced) else x


def dtype_of(x: Any) -> np.dtype:
    if isinstance(x, Traced):
        return x.dtype
    return np.asarray(x).dtype


def lift(build: Callable[..., Node], numpy_f: Callable[..., Any] | None, *args: Any,
         dtype: Any = None) -> Traced:
    """Traced(build(nodes of args)), with the concrete value numpy_f(values) when every
    argument has one; a result of constants only becomes a constant node (folded)."""
    node = build(*(as_node(a) for a in args))
    if numpy_f is not None and all(known(a) for a in args):
        with np.errstate(all="ignore"):
            value = np.asarray(numpy_f(*(concrete(a) for a in args)))
        if all(not isinstance(a, Traced) or a.node.op in ("const", "full") for a in args):
            node = E.const(value)
        return Traced(node, value)
    if dtype is None:
        kinds = [dtype_of(a) for a in args]
        dtype = np.result_type(*kinds, np.float64) if any(k.kind == "f" for k in kinds) \
            else np.dtype(np.float64)
    return Traced(node, None, dtype)
