"""Arrays the forward creates: np.zeros, np.ones, np.full, np.empty (and their _like forms),
np.eye, np.arange, np.array of traced values.

``np.arange(n)`` of a size read off an input (``n = X.shape[0]``, ``len(X)``) is a node of
the graph, so ``logp[np.arange(n), y]`` prints as arange(n) and pastes as
``np.arange(X.shape[0])`` (``np.eye(C)`` likewise); of a literal number it stays the
constant it is.

Functions such as np.zeros take no array, so numpy never hands them to a traced value; while
tracing, the forward sees :data:`SHIM` in place of the numpy module (and in place of these
functions imported by name), which records them. The arrays they make are buffers: the
forward may write into them (``out[n, f] = ...``).
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import numpy as np

from derive import expr as E
from derive.ops.ranges import arange as arange_node
from derive.ops.ranges import eye as eye_node
from derive.traced import FUNCTIONS, Dim, Size, Traced, as_node


def _sizes(shape: Any) -> tuple[tuple[int, ...], tuple[tuple[str, int] | None, ...]]:
    items = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
    return (tuple(int(s) for s in items),
            tuple(s.source if isinstance(s, Dim) else None for s in items))


def _filled(value: float) -> Callable[..., Traced]:
    def make(shape: Any, dtype: Any = float, order: str = "C", **kw: Any) -> Traced:
        sizes, dims = _sizes(shape)
        dt = np.dtype(dtype if dtype is not None else float)
        return Traced(E.full(sizes, value, str(dt), dims=dims), np.full(sizes, value, dt))

    return make


def full(shape: Any, fill_value: Any, dtype: Any = None, order: str = "C", **kw: Any) -> Any:
    if isinstance(fill_value, Traced):
        return np.broadcast_to(fill_value, _sizes(shape)[0]) * np.ones(_sizes(shape)[0])
    dt = np.result_type(np.asarray(fill_value)) if dtype is None else np.dtype(dtype)
    return _filled(float(fill_value))(shape, dt)


def _like(value: float | None) -> Callable[..., Any]:
    def make(a: Any, *args: Any, dtype: Any = None, **kw: Any) -> Any:
        v = value if value is not None else (args[0] if args else kw.get("fill_value"))
        if isinstance(v, Traced):
            return np.broadcast_to(v, as_node(a).shape) * np.ones_like(a)
        node = as_node(a)
        dt = np.dtype(dtype) if dtype is not None else (
            a.dtype if isinstance(a, Traced) else np.asarray(a).dtype)
        like = node if node.op != "const" else None
        return Traced(E.full(node.shape, float(v), str(dt), like=like),
                      np.full(node.shape, v, dt))

    return make


def _contains_traced(obj: Any) -> bool:
    if isinstance(obj, Traced):
        return True
    if isinstance(obj, (list, tuple)):
        return any(_contains_traced(x) for x in obj)
    return False


def array(obj: Any, dtype: Any = None, *args: Any, **kw: Any) -> Any:
    """np.array / np.asarray: a list of traced values is stacked; a traced value is itself."""
    if isinstance(obj, Traced):
        return obj if dtype is None else obj.astype(dtype)
    if isinstance(obj, (list, tuple)) and _contains_traced(obj):
        return np.stack([array(x) if isinstance(x, (list, tuple)) else x for x in obj])
    return np.array(obj, dtype, *args, **kw)


def asarray(obj: Any, dtype: Any = None, *args: Any, **kw: Any) -> Any:
    if isinstance(obj, Traced) or (isinstance(obj, (list, tuple)) and _contains_traced(obj)):
        return array(obj, dtype)
    return np.asarray(obj, dtype, *args, **kw)


def arange(*args: Any, **kw: Any) -> Any:
    """np.arange: a node when it counts 0, 1, ..., k - 1 up to a size ``k`` known by name."""
    start, stop, step = (0, args[0], 1) if len(args) == 1 else (tuple(args) + (1,))[:3]
    stop = kw.get("stop", stop)
    start, step = kw.get("start", start), kw.get("step", step)
    dtype = kw.get("dtype")
    if isinstance(stop, (Dim, Size)) and start == 0 and step == 1 and \
            (dtype is None or np.dtype(dtype).kind in "iu"):
        value = np.arange(int(stop), dtype=dtype)
        return Traced(arange_node(as_node(stop), int(stop)), value)
    return np.arange(*args, **kw)


def eye(N: Any, M: Any = None, k: int = 0, dtype: Any = float, *args: Any, **kw: Any) -> Any:
    """np.eye: a node when it is the square identity of a size known by name (one-hot rows
    are ``np.eye(C)[y]``)."""
    if isinstance(N, (Dim, Size)) and (M is None or M == N) and k == 0 and \
            np.dtype(dtype).kind == "f" and not args and not kw:
        return Traced(eye_node(as_node(N), int(N)), np.eye(int(N)))
    value = np.eye(N, M, k, dtype, *args, **kw)
    # a constant that stays in the graph: np.eye(3)[y] is then indexed by the labels y (a
    # node), not folded into the one-hot rows of the labels drawn
    return Traced(E.const(value), value)


_MADE = {
    "zeros": _filled(0.0), "ones": _filled(1.0), "empty": _filled(0.0), "full": full,
    "array": array, "asarray": asarray, "asanyarray": asarray, "arange": arange,
    "eye": eye,
}

FUNCTIONS.update({
    np.zeros_like: _like(0.0), np.ones_like: _like(1.0), np.empty_like: _like(0.0),
    np.full_like: _like(None),
})


class _NumpyShim(types.ModuleType):
    """The numpy module as the traced forward sees it: the same, except the functions that
    create arrays (and so would never see a traced value)."""

    def __getattr__(self, name: str) -> Any:
        made = _MADE.get(name)
        return made if made is not None else getattr(np, name)


SHIM = _NumpyShim("numpy")


def traced_len(obj: Any) -> int:
    """len() that keeps a size's name: Python's len() turns X.shape[0] into a plain int."""
    if isinstance(obj, Traced):
        return obj.shape[0] if len(obj) else 0
    return len(obj)


# builtins the forward sees in place of Python's (unless it defines its own)
BUILTINS: dict[str, Any] = {"len": traced_len}

# numpy's own functions -> their recording versions, for `from numpy import zeros`
REPLACED = {getattr(np, name): f for name, f in _MADE.items()}
