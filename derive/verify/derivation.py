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
from derive.graph import from_forward
from derive.numeric.config import CACHE_SIZE, FORWARD_RTOL
from derive.verify.cachekey import key_of
from derive.verify.results import Derivation

Shape = tuple[int, ...]
Arrays = dict[str, np.ndarray]


# ---------------------------------------------------------------- the symbolic side


_CACHE: OrderedDict[tuple, Derivation | DeriveError] = OrderedDict()


def derivation(forward: Callable[..., Any], shapes: Mapping[str, Shape],
               wrt: tuple[str, ...]) -> Derivation:
    """Trace, derive by rules and compile: once per graph, then cached.

    The cache key is what decides the graph (:mod:`.cachekey`): forward's code, the globals
    and closure values it reads, shapes and dtypes (float64: the points are converted), so
    an edited global re-derives. The cost depends on the number of operations, not on the
    sizes: the expressions refer to whole arrays. Failures (a numpy call the tracer cannot
    map) are cached too.
    """
    key = key_of(forward, shapes, tuple(wrt), {k: "float64" for k in shapes})
    hit = None if key is None else _CACHE.get(key)
    if hit is None:
        hit = _build(forward, shapes, wrt)
        if key is not None:
            _CACHE[key] = hit
            while len(_CACHE) > CACHE_SIZE:
                _CACHE.popitem(last=False)
    elif key is not None:
        _CACHE.move_to_end(key)
    if isinstance(hit, DeriveError):
        raise type(hit)(str(hit))  # a fresh exception: the cached one keeps no traceback
    return hit


def _build(forward: Callable[..., Any], shapes: Mapping[str, Shape],
           wrt: tuple[str, ...]) -> Derivation | DeriveError:
    t0 = time.perf_counter()
    try:
        graph = from_forward(forward, dict(shapes), tuple(wrt))
    except TraceError as exc:
        return TraceError(str(exc))
    except AttributeError as exc:
        if getattr(exc, "obj", None) is not None and type(exc.obj).__name__ == "Traced":
            return TraceError(f"ndarray.{exc.name}")
        return TraceError(f"{U.describe(exc)}{U.location(exc, forward)}")
    except Exception as exc:  # noqa: BLE001 - forward ran on arrays; this is the tracer's limit
        return TraceError(f"{U.describe(exc)}{U.location(exc, forward)}")
    if graph.output.size != 1:
        return TraceError(f"the traced output has shape {graph.output.shape}, not a scalar")
    bw = derive_backward(graph)
    code = compile_numpy(bw)
    return Derivation(graph, bw, code, time.perf_counter() - t0)


def _symbolic(forward: Callable[..., Any], shapes: dict[str, Shape], wrt: tuple[str, ...],
              draws: list[Arrays], fvals: list[float]
              ) -> tuple[Derivation | None, str | None, list[Arrays] | None]:
    """The derivation and its gradient at every point, or None and why the tracer fell back."""
    try:
        d = derivation(forward, shapes, wrt)
    except TraceError as exc:
        return None, str(exc), None
    values = []
    for k, (p, f0) in enumerate(zip(draws, fvals)):
        try:
            with np.errstate(all="ignore"):
                value, grads = d.code.value_and_gradient(**p)  # type: ignore[misc]
                traced = float(np.asarray(value, dtype=np.float64).reshape(()))
                g = {w: np.asarray(v, dtype=np.float64) for w, v in grads.items()}
        except Exception as exc:  # noqa: BLE001 - our generated code failing is our limit
            return None, f"the derived code fails: {U.describe(exc)}", None
        if not abs(traced - f0) <= FORWARD_RTOL * max(1.0, abs(f0), abs(traced)):
            return None, (f"the traced forward gives {traced:.10g} where yours gives {f0:.10g} "
                          f"at point {k + 1} (an operation the tracer reads differently)"), None
        values.append(g)
    return d, None, values
