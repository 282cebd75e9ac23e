"""Stage 3, derivation: trace, derive by rules and compile, cached by what decides it."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from derive import usermodule as U
from derive.backward import derive as derive_backward
from derive.compile import compile_numpy
from derive.errors import DeriveError, TraceError
from derive.graph import build
from derive.numeric.config import CACHE_SIZE, FORWARD_RTOL
from derive.recognize import recognize
from derive.trace import trace_full, where_of
from derive.verify.cachekey import digest, key_of
from derive.verify.results import Derivation

Shape = tuple[int, ...]
Arrays = dict[str, np.ndarray]


# ---------------------------------------------------------------- the symbolic side


_CACHE: OrderedDict[tuple, Derivation | DeriveError | str] = OrderedDict()

# Cached under a graph's key when its trace read the constants' values (a Python if on a
# label): the derivation is then cached per values, and redone at each point.
_PER_VALUES = "per values"


def derivation(forward: Callable[..., Any], shapes: Mapping[str, Shape],
               wrt: tuple[str, ...], constants: Mapping[str, np.ndarray] | None = None
               ) -> Derivation:
    """Trace, derive by rules and compile: once per graph, then cached.

    The cache key is what decides the graph (:mod:`.cachekey`): forward's code, the globals
    and closure values it reads, shapes and dtypes, so an edited global re-derives. The cost
    depends on the number of operations, not on the sizes: the expressions refer
    to whole arrays. ``constants`` (the arguments not differentiated: labels, masks) reach
    the tracer with their values, so indexing by them and Python control flow on them
    trace; a graph that read their values holds for those values only and is cached per
    values. Failures (a numpy call the tracer cannot map) are cached too.
    """
    constants = dict(constants or {})
    dtypes = {k: "float64" for k in shapes}
    dtypes.update({k: f"{v.dtype.str}{v.shape}" for k, v in constants.items()})
    base = key_of(forward, shapes, tuple(wrt), dtypes)
    if base is None:  # something forward reads cannot be hashed: no caching
        built, _ = _build(forward, shapes, wrt, constants)
        return _raised(built)
    hit = _cached(base)
    key = base
    if hit == _PER_VALUES:
        key = (*base, digest(constants))
        hit = _cached(key)
    if hit is None:
        hit, per_values = _build(forward, shapes, wrt, constants)
        if per_values and key is base:
            _store(base, _PER_VALUES)
            key = (*base, digest(constants))
        _store(key, hit)
    return _raised(hit)


def _raised(hit: Derivation | DeriveError | str) -> Derivation:
    """The derivation, or its failure raised afresh (the cached one keeps no traceback)."""
    if isinstance(hit, TraceError):
        raise TraceError(str(hit), hit.where)
    if isinstance(hit, DeriveError):
        raise type(hit)(str(hit))
    assert isinstance(hit, Derivation)
    return hit


def _cached(key: tuple) -> Derivation | DeriveError | str | None:
    try:
        hit = _CACHE.get(key)
    except TypeError:  # an unhashable callable: no caching
        return None
    if hit is not None:
        _CACHE.move_to_end(key)
    return hit


def _store(key: tuple, value: Derivation | DeriveError | str) -> None:
    try:
        _CACHE[key] = value
    except TypeError:  # an unhashable callable: no caching
        return
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)


def _build(forward: Callable[..., Any], shapes: Mapping[str, Shape], wrt: tuple[str, ...],
           constants: Mapping[str, np.ndarray]) -> tuple[Derivation | DeriveError, bool]:
    """The derivation (or why there is none), and whether it holds for these values only."""
    t0 = time.perf_counter()
    try:
        traced = trace_full(forward, dict(shapes), constants)
        graph = build(recognize(traced.output), traced.inputs, tuple(wrt))
    except TraceError as exc:
        return TraceError(str(exc), exc.where), False
    except AttributeError as exc:
        if getattr(exc, "obj", None) is not None and type(exc.obj).__name__ == "Traced":
            return TraceError(f"ndarray.{exc.name}", where_of(exc)), False
        return TraceError(f"{U.describe(exc)}{U.location(exc, forward)}"), False
    except Exception as exc:  # noqa: BLE001 - forward ran on arrays; this is the tracer's limit
        return TraceError(f"{U.describe(exc)}{U.location(exc, forward)}"), False
    if graph.output.size != 1:
        return TraceError(f"the traced output has shape {graph.output.shape}, not a scalar"), \
            False
    bw = derive_backward(graph)
    code = compile_numpy(bw)
    return Derivation(graph, bw, code, time.perf_counter() - t0), bool(traced.specialized)


# Points whose derived values one derivation keeps (a test suite re-runs the same few seeds).
POINTS_KEPT = 8


def _at(d: Derivation, point: Arrays) -> tuple[float, Arrays]:
    """The derived value and gradient at a point; the same derivation at the same point (a
    re-run of the same test) reads them back."""
    kept: OrderedDict[str, tuple[float, Arrays]] = d.memo.setdefault("at", OrderedDict())
    key = digest(point)
    if key in kept:
        kept.move_to_end(key)
        value, grads = kept[key]
        return value, dict(grads)
    with np.errstate(all="ignore"):
        raw, raw_grads = d.code.value_and_gradient(**point)  # type: ignore[misc]
    value = float(np.asarray(raw, dtype=np.float64).reshape(()))
    grads = {w: np.array(v, dtype=np.float64) for w, v in raw_grads.items()}
    for v in grads.values():
        v.setflags(write=False)  # shared by later runs: nobody may change it in place
    kept[key] = (value, grads)
    if len(kept) > POINTS_KEPT:
        kept.popitem(last=False)
    return value, dict(grads)


def _symbolic(forward: Callable[..., Any], shapes: dict[str, Shape], wrt: tuple[str, ...],
              draws: list[Arrays], fvals: list[float]
              ) -> tuple[Derivation | None, str | None, str, list[Arrays] | None]:
    """The derivation and its gradient at every point, or None, why the tracer fell back and
    where in the user's code ("model.py:42: out[n, f] = ..."; empty when not known).

    The arguments not differentiated are constants: the tracer gets their values, and a
    derivation that read them is derived again at each point (cached per values).
    """
    values = []
    first: Derivation | None = None
    for k, (p, f0) in enumerate(zip(draws, fvals)):
        try:
            d = derivation(forward, shapes, wrt, {n: v for n, v in p.items() if n not in wrt})
        except TraceError as exc:
            return None, str(exc), exc.where, None
        first = first or d
        try:
            traced, g = _at(d, p)
        except Exception as exc:  # noqa: BLE001 - our generated code failing is our limit
            return None, f"the derived code fails: {U.describe(exc)}", "", None
        if not abs(traced - f0) <= FORWARD_RTOL * max(1.0, abs(f0), abs(traced)):
            return None, (f"the traced forward gives {traced:.10g} where yours gives {f0:.10g} "
                          f"at point {k + 1} (an operation the tracer reads differently)"), "", \
                None
        values.append(g)
    return first, None, "", values
