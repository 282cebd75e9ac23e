"""Stage 2, calls into user code: forward and backward at every point, results copied."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from derive import usermodule as U
from derive.errors import InputError
from derive.verify.inputs import _names

Shape = tuple[int, ...]
Arrays = dict[str, np.ndarray]


# ---------------------------------------------------------------- calling user code


class _ScalarForward:
    """The user's forward as f(arrays) -> float, on fresh copies (it may modify its inputs)."""

    def __init__(self, forward: Callable[..., Any], shapes: dict[str, Shape]) -> None:
        self.forward = forward
        self.shapes = shapes
        self.float32 = False
        self.calls = 0

    def __call__(self, arrays: Mapping[str, np.ndarray]) -> float:
        self.calls += 1
        with np.errstate(all="ignore"):
            value = U.call(self.forward, "forward", **_copies(arrays))
        return float(np.asarray(value, dtype=np.float64).reshape(()))

    def value(self, arrays: Arrays, first: bool = False) -> float:
        """forward at a point, with the shape and scalar checks that make a clear message."""
        try:
            with np.errstate(all="ignore"):
                value = self.forward(**_copies(arrays))
        except U.SHAPE_EXCEPTIONS as exc:
            raise InputError(
                f"forward fails on the given shapes {U.shapes_text(self.shapes)}: "
                f"{U.describe(exc)}{U.location(exc, self.forward)}") from None
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - user code: one line, always
            raise U.user_error(exc, "forward", self.forward) from exc
        U.check_returned(value, "forward")
        try:
            a = np.asarray(value)
            out = np.asarray(a, dtype=np.float64)
        except (TypeError, ValueError):
            raise InputError(f"forward must return a number, got {type(value).__name__}") from None
        if out.size != 1:
            raise InputError(f"forward must return a scalar (a float or 0-d array), got shape "
                             f"{out.shape} at shapes {U.shapes_text(self.shapes)}")
        if first and a.dtype == np.float32:
            self.float32 = True
        v = float(out.reshape(()))
        if not math.isfinite(v):
            raise InputError(f"forward returned {v} at shapes {U.shapes_text(self.shapes)}: "
                             "give inputs(rng) that keep it finite (log or sqrt of a negative "
                             "draw?)")
        return v


def _copies(arrays: Mapping[str, np.ndarray]) -> Arrays:
    return {k: np.array(v, copy=True) for k, v in arrays.items()}


def _user_gradients(backward: Callable[..., Any], point: Arrays, names: list[str],
                    wrt: tuple[str, ...] | None) -> dict[str, Any]:
    """backward at a point: a dict whose keys are arguments of forward (the same each time)."""
    with np.errstate(all="ignore"):
        raw = U.call(backward, "backward", **_copies(point))
    if not isinstance(raw, Mapping):
        raise InputError("backward must return a dict mapping argument names to gradient "
                         f"arrays, got {type(raw).__name__}")
    unknown = [k for k in raw if k not in names]
    if unknown:
        plural = "are not arguments" if len(unknown) > 1 else "is not an argument"
        raise InputError(f"backward returned {_names(unknown)}, which {plural} of forward "
                         f"({', '.join(names)})")
    if not raw:
        raise InputError("backward returned an empty dict: no gradient to check")
    if wrt is not None and set(raw) != set(wrt):
        raise InputError(f"backward returned different names at different points: "
                         f"{sorted(raw)} and {sorted(wrt)}")
    return dict(raw)
