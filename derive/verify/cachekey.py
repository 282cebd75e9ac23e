"""What decides a derivation, as a cache key: the forward's code, the values of the globals
and closure cells it reads (and of the functions it calls, recursively), its defaults, the
shapes and dtypes. Editing a global that forward reads, or a helper it calls, re-derives; a
value whose content cannot be read safely (an arbitrary object) means no caching at all."""

from __future__ import annotations

import functools
import hashlib
import types
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

# How deep the key follows functions called by functions (a helper of a helper ...);
# deeper than this, the forward is not cached (a rare, deeply layered model).
MAX_DEPTH = 12

# Values keyed by themselves: immutable, compared by value.
_PLAIN = (int, float, complex, str, bytes, bool, type(None), type(Ellipsis), range, slice)


class Uncacheable(Exception):
    """A value the forward reads whose content the key cannot capture."""


def digest(arrays: Mapping[str, Any]) -> str:
    """SHA-1 of named arrays: names, dtypes, shapes and bytes (the same arrays, the same key)."""
    h = hashlib.sha1()
    for k, v in sorted(arrays.items()):
        a = np.ascontiguousarray(v)
        h.update(f"{k}:{a.dtype.str}:{a.shape}:".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def key_of(forward: Callable[..., Any], shapes: Mapping[str, tuple[int, ...]],
           wrt: tuple[str, ...], dtypes: Mapping[str, str] | None = None) -> tuple | None:
    """The derivation's cache key, or None when something forward reads is uncacheable."""
    try:
        code = _value(forward, 0, {})
    except (Uncacheable, RecursionError):
        return None
    types_ = tuple(sorted((dtypes or {}).items()))
    return (code, tuple(shapes.items()), tuple(wrt), types_)


def _value(v: Any, depth: int, seen: dict[int, Any]) -> Any:
    """A hashable stand-in for v that changes whenever v's content changes."""
    if isinstance(v, _PLAIN):
        return (type(v).__name__, v)
    if isinstance(v, np.ndarray):
        if v.dtype.hasobject:
            raise Uncacheable("an object array")
        data = np.ascontiguousarray(v)
        return ("ndarray", v.dtype.str, v.shape, hashlib.sha256(data.tobytes()).hexdigest())
    if isinstance(v, np.generic):
        return ("scalar", v.dtype.str, v.tobytes())
    if isinstance(v, types.ModuleType):
        return ("module", v.__name__)
    if isinstance(v, (tuple, list, frozenset, set)):
        items = sorted(map(repr, v)) if isinstance(v, (set, frozenset)) else v
        return (type(v).__name__, tuple(_value(x, depth, seen) for x in items))
    if isinstance(v, dict):
        return ("dict", tuple((_value(k, depth, seen), _value(x, depth, seen))
                              for k, x in v.items()))
    if isinstance(v, (type, types.BuiltinFunctionType, np.ufunc)) or _numpy_callable(v):
        return ("object", v)  # a class, builtin or numpy function: its identity decides
    if isinstance(v, types.FunctionType):
        return _function(v, depth, seen)
    if isinstance(v, types.MethodType):
        return ("method", _value(v.__func__, depth, seen), _value(v.__self__, depth, seen))
    if isinstance(v, functools.partial):
        return ("partial", _value(v.func, depth, seen), _value(v.args, depth, seen),
                _value(v.keywords, depth, seen))
    raise Uncacheable(type(v).__name__)


def _numpy_callable(v: Any) -> bool:
    """numpy's own functions (np.sum is a Python function in some versions, a C one in
    others): named by module and name, never edited by a user's notebook."""
    module = getattr(v, "__module__", None) or ""
    return callable(v) and module.split(".")[0] == "numpy"


def _function(fn: types.FunctionType, depth: int, seen: dict[int, Any]) -> Any:
    if id(fn) in seen:  # recursion (a function calling itself): its name stands for it
        return ("recursive", fn.__qualname__)
    if depth > MAX_DEPTH:
        raise Uncacheable("functions nested too deeply")
    seen[id(fn)] = fn
    try:
        code = fn.__code__
        names = _global_names(code)
        globals_ = fn.__globals__
        read = tuple((n, _value(globals_[n], depth + 1, seen)) for n in sorted(names)
                     if n in globals_)
        cells = tuple(_value(c.cell_contents, depth + 1, seen) if _filled(c) else ("empty",)
                      for c in (fn.__closure__ or ()))
        defaults = _value(fn.__defaults__, depth + 1, seen)
        kwdefaults = _value(fn.__kwdefaults__ or {}, depth + 1, seen)
        return ("function", _code(code), read, cells, defaults, kwdefaults)
    finally:
        del seen[id(fn)]


def _filled(cell: types.CellType) -> bool:
    try:
        cell.cell_contents  # noqa: B018 - an empty cell raises
    except ValueError:
        return False
    return True


def _code(code: types.CodeType) -> tuple:
    """The code itself: bytecode, constants (nested code too), names."""
    consts = tuple(_code(c) if isinstance(c, types.CodeType) else (type(c).__name__, repr(c))
                   for c in code.co_consts)
    # the file and line too: where tracing stops is reported as 'file:line: code'
    return (code.co_code, consts, code.co_names, code.co_varnames, code.co_freevars,
            code.co_filename, code.co_firstlineno)


def _global_names(code: types.CodeType) -> set[str]:
    """Every name the code (and the code nested in it) may read from its globals."""
    out = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            out |= _global_names(c)
    return out
