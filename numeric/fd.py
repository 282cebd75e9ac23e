"""Finite-difference gradients and checks used as an independent reference for derivations."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import numpy as np
from derive.numeric import kinks as K
from derive.numeric.config import (  # noqa: F401 - the table's names, where callers find them
    ERROR_STEPS,
    FD32_NOISE,
    FD32_REL_STEP,
    FD32_RTOL,
    FD_NOISE,
    FD_REL_STEP,
    FD_RTOL,
    FD_STEP_FLOOR,
    KINK_TOL,
    TAYLOR_ROUNDOFF_FACTOR,
    TAYLOR_STEPS,
)

ScalarFunction = Callable[..., Any]
Arrays = dict[str, np.ndarray]
Index = tuple[int, ...]


class EntryValues(Protocol):
    """f at one point with one entry (row-major position) set to a value (numeric.sampling)."""

    def at(self, flat: int, value: float) -> float: ...


_EPS = float(np.finfo(np.float64).eps)


def _scalar(value: Any) -> float:
    """Turn f's output (python float, 0-d or size-1 array) into a float; reject non-scalars."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.size != 1:
        raise ValueError(f"function must return a scalar, got shape {arr.shape}")
    return float(arr.reshape(()))


def _evaluate(f: ScalarFunction, inputs: Mapping[str, Any], name: str, value: np.ndarray) -> float:
    """f(**inputs) with inputs[name] replaced; fresh copies so f cannot corrupt later calls."""
    args = {
        k: (np.array(v, copy=True) if isinstance(v, np.ndarray) else v) for k, v in inputs.items()
    }
    args[name] = value.copy()
    return _scalar(f(**args))


def _step(xi: float, rel_step: float) -> float:
    """Step for one entry, scaled to its magnitude so large entries are not under-perturbed."""
    return rel_step * max(FD_STEP_FLOOR, abs(xi))


def steps(x: np.ndarray, rel_step: float = FD_REL_STEP) -> np.ndarray:
    """:func:`_step` for many entries at once (the batched differences of derive.deltas)."""
    return rel_step * np.maximum(FD_STEP_FLOOR, np.abs(np.asarray(x, dtype=np.float64)))


def quotient(f_up: Any, f_down: Any, up: Any, down: Any) -> Any:
    """The central difference quotient over the exactly representable step (up - down)."""
    return (f_up - f_down) / (up - down)


def _target(inputs: Mapping[str, Any], name: str) -> np.ndarray:
    """float64 copy of the differentiated input (the caller's array is never touched)."""
    return np.array(inputs[name], dtype=np.float64, copy=True)


def central_gradient(
    f: ScalarFunction,
    inputs: Mapping[str, Any],
    name: str,
    *,
    rel_step: float = FD_REL_STEP,
) -> np.ndarray:
    """Per-entry central difference of scalar f(**inputs) w.r.t. inputs[name].

    Uses the exactly representable step (x+h) - (x-h) as denominator. Returns float64 with the
    input's shape (0-d inputs give a 0-d array).
    """
    x = _target(inputs, name)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        xi = float(x[idx])
        h = _step(xi, rel_step)
        plus, minus = x.copy(), x.copy()
        plus[idx], minus[idx] = xi + h, xi - h
        denom = plus[idx] - minus[idx]
        grad[idx] = (_evaluate(f, inputs, name, plus) - _evaluate(f, inputs, name, minus)) / denom
    return grad


def one_sided_gradients(
    f: ScalarFunction,
    inputs: Mapping[str, Any],
    name: str,
    *,
    rel_step: float = FD_REL_STEP,
) -> tuple[np.ndarray, np.ndarray]:
    """Left and right one-sided differences per entry; where they disagree f has a kink."""
    x = _target(inputs, name)
    f0 = _evaluate(f, inputs, name, x)
    left, right = np.zeros_like(x), np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        xi = float(x[idx])
        h = _step(xi, rel_step)
        plus, minus = x.copy(), x.copy()
        plus[idx], minus[idx] = xi + h, xi - h
        left[idx] = (f0 - _evaluate(f, inputs, name, minus)) / (x[idx] - minus[idx])
        right[idx] = (_evaluate(f, inputs, name, plus) - f0) / (plus[idx] - x[idx])
    return left, right


def kink_mask(left: np.ndarray, right: np.ndarray, *, scale: float) -> np.ndarray:
    """True where one-sided derivatives differ by more than KINK_TOL * scale (the gradient's
    largest entry, so the same at every loss scale; KINK_TOL itself when the scale is 0)."""
    left = np.asarray(left, dtype=np.float64)
    right = np.asarray(right, dtype=np.float64)
    return np.abs(left - right) > KINK_TOL * (scale if scale > 0 else 1.0)


def _shifted(inputs: Mapping[str, Any], direction: Mapping[str, Any], t: float) -> dict[str, Any]:
    """inputs + t * direction (float64 copies; inputs without a direction are passed through)."""
    out = {
        k: (np.array(v, copy=True) if isinstance(v, np.ndarray) else v) for k, v in inputs.items()
    }
    for k, v in direction.items():
        out[k] = np.asarray(inputs[k], dtype=np.float64) + t * np.asarray(v, dtype=np.float64)
    return out


def _default_direction_step(inputs: Mapping[str, Any], direction: Mapping[str, Any]) -> float:
    """FD_REL_STEP scaled so the largest perturbed entry moves by FD_REL_STEP * max(1, |x|)."""
    x_max = max((float(np.max(np.abs(inputs[k]), initial=0.0)) for k in direction), default=0.0)
    v_max = max((float(np.max(np.abs(v), initial=0.0)) for v in direction.values()), default=0.0)
    return FD_REL_STEP * max(1.0, x_max) / v_max if v_max > 0 else FD_REL_STEP


def directional_derivative(
    f: ScalarFunction,
    inputs: Mapping[str, Any],
    direction: Mapping[str, Any],
    *,
    h: float | None = None,
) -> float:
    """Central difference of f along `direction` (keys: a subset of inputs): ~ grad f . v."""
    step = _default_direction_step(inputs, direction) if h is None else h
    plus = _scalar(f(**_shifted(inputs, direction, step)))
    minus = _scalar(f(**_shifted(inputs, direction, -step)))
    return (plus - minus) / (2 * step)


def _unit_direction(grads: Mapping[str, Any], seed: int) -> dict[str, np.ndarray]:
    """Random normal direction over the gradient's inputs, scaled to unit total 2-norm."""
    rng = np.random.default_rng(seed)
    v = {k: rng.standard_normal(np.shape(g)) for k, g in grads.items()}
    norm = np.sqrt(sum(float(np.sum(a * a)) for a in v.values()))
    return {k: a / norm for k, a in v.items()}


def taylor_remainder_slope(
    f: ScalarFunction,
    inputs: Mapping[str, Any],
    grads: Mapping[str, Any],
    *,
    seed: int = 0,
    hs: np.ndarray | None = None,
    f0: float | None = None,
) -> tuple[float, np.ndarray, np.ndarray]:
    """Log-log slope of r(h) = |f(x + h v) - f(x) - h g.v| along a random unit direction v.

    r(h) = O(h^2) when g is the gradient (slope ~2, ~3 if f has no curvature along v) and O(h)
    when it is wrong (slope ~1). Only points with r above TAYLOR_ROUNDOFF_FACTOR * eps * |f| are
    fitted. Returns (slope, hs, remainders); slope is float('nan') when fewer than two points
    rise above round-off (e.g. f is linear and g is right), meaning "no evidence either way".
    ``f0`` is f at x when the caller has it already (one forward pass fewer).
    """
    hs = np.array(TAYLOR_STEPS if hs is None else hs, dtype=np.float64)
    v = _unit_direction(grads, seed)
    gv = sum(float(np.sum(np.asarray(grads[k], dtype=np.float64) * v[k])) for k in v)
    f0 = _scalar(f(**_shifted(inputs, v, 0.0))) if f0 is None else float(f0)
    values = np.array([_scalar(f(**_shifted(inputs, v, float(h)))) for h in hs])
    remainders = np.abs(values - f0 - hs * gv)
    floor = TAYLOR_ROUNDOFF_FACTOR * _EPS * np.maximum(abs(f0), np.abs(values))
    keep = (remainders > floor) & np.isfinite(remainders)
    if np.count_nonzero(keep) < 2:
        return float("nan"), hs, remainders
    slope = np.polyfit(np.log(hs[keep]), np.log(remainders[keep]), 1)[0]
    return float(slope), hs, remainders


def error_vs_step(
    f: Callable[[float], Any],
    x: float,
    exact: float,
    steps: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """|central difference - exact| for each step (default ERROR_STEPS), for a scalar f.

    Shows truncation error falling as h^2 and round-off rising as eps/h; the minimum sits
    near FD_REL_STEP.
    """
    steps = np.array(ERROR_STEPS if steps is None else steps, dtype=np.float64)
    errors = np.array(
        [abs((_scalar(f(x + h)) - _scalar(f(x - h))) / (2 * h) - exact) for h in steps]
    )
    return steps, errors


# ---------------------------------------------------------------- differences at chosen entries


def flat_indices(shape: Index, flat: np.ndarray) -> list[Index]:
    if not shape:
        return [()]
    return [tuple(int(i) for i in idx) for idx in zip(*np.unravel_index(flat, shape))]


def perturbed(point: Arrays, name: str, idx: Index, value: float) -> Arrays:
    out = dict(point)
    x = np.array(point[name], copy=True)
    x[idx] = value
    out[name] = x
    return out


class Differences:
    """Central, one-sided and directional differences of a scalar f(arrays) at chosen
    entries: the one implementation behind derive.verify (and the steps of derive.deltas).

    ``float32``: f computes in float32 (larger steps, looser tolerance); ``rel_step``
    overrides the step (``eps`` of verify and assert_gradients)."""

    def __init__(self, f: Callable[[Mapping[str, np.ndarray]], float], float32: bool = False,
                 rel_step: float | None = None) -> None:
        self.f = f
        default = FD32_REL_STEP if float32 else FD_REL_STEP
        self.rel_step = default if rel_step is None else float(rel_step)
        self.rtol = FD32_RTOL if float32 else FD_RTOL
        self.noise = FD32_NOISE if float32 else FD_NOISE

    def _h(self, x: float) -> float:
        return _step(x, self.rel_step)

    def central(self, point: Arrays, name: str, indices: list[Index],
                ev: EntryValues | None = None) -> np.ndarray:
        """Central differences; an entry below FD_STEP_FLOOR in size also tries a step
        following |x| (log or 1/x at 1e-7) and keeps whichever changes least when its step
        doubles (Richardson's error estimate), so a singularity is not mistaken for a kink.
        ``ev`` (numeric.sampling.Evaluations of this point and input) evaluates and
        remembers instead of copying the input per call."""
        out = np.empty(len(indices))
        x = point[name]
        value = self._valuer(point, name, ev)
        for i, idx in enumerate(indices):
            xi = float(x[idx])
            out[i] = self._quotient(value, idx, xi, self._h(xi))
            if 0.0 < abs(xi) < FD_STEP_FLOOR:
                out[i] = self._best(value, idx, xi, out[i])
        return out

    def _valuer(self, point: Arrays, name: str, ev: EntryValues | None
                ) -> Callable[[Index, float], float]:
        """f with one entry of ``name`` changed: a fresh copy per call, or through ``ev``."""
        if ev is None:
            return lambda idx, v: self.f(perturbed(point, name, idx, v))
        shape = np.shape(point[name])
        return lambda idx, v: ev.at(int(np.ravel_multi_index(idx, shape)) if shape else 0, v)

    def _at(self, point: Arrays, name: str, idx: Index, xi: float, h: float) -> float:
        return self._quotient(self._valuer(point, name, None), idx, xi, h)

    @staticmethod
    def _quotient(value: Callable[[Index, float], float], idx: Index, xi: float,
                  h: float) -> float:
        up, down = xi + h, xi - h
        return quotient(value(idx, up), value(idx, down), up, down)

    def _best(self, value: Callable[[Index, float], float], idx: Index, xi: float,
              first: float) -> float:
        options = []
        for h, d in ((self._h(xi), first), (self.rel_step * abs(xi), None)):
            d = self._quotient(value, idx, xi, h) if d is None else d
            err = abs(d - self._quotient(value, idx, xi, 2 * h))
            options.append((err if math.isfinite(err) else math.inf, d))  # left the domain
        return min(options, key=lambda o: o[0])[1]

    def bracket(self, point: Arrays, name: str, indices: list[Index],
                f0: float) -> tuple[np.ndarray, np.ndarray]:
        """[lo, hi]: one-sided derivatives widened by their own error (numeric.kinks.bracket,
        the one implementation), at this object's steps; below FD_STEP_FLOOR the step
        follows |x|: a one-sided step must not reach across a singularity at 0 (log, 1/x),
        while a kink exactly at x = 0 keeps the floor's step."""
        x = point[name]
        xs = np.array([float(x[idx]) for idx in indices], dtype=np.float64)
        small = (np.abs(xs) > 0.0) & (np.abs(xs) < FD_STEP_FLOOR)
        h = np.where(small, self.rel_step * np.abs(xs), steps(xs, self.rel_step))
        value = self._valuer(point, name, None)

        def fe(values: np.ndarray) -> np.ndarray:
            return np.array([value(idx, float(v)) for idx, v in zip(indices, values)])

        br = K.bracket(fe, xs, f0, h)
        return br.lo, br.hi

    def directional(self, point: Arrays, v: Mapping[str, np.ndarray]) -> float:
        """Central difference along v (a direction over one or several inputs): ~ grad . v."""
        x_max = max(float(np.max(np.abs(point[w]), initial=0.0)) for w in v)
        v_max = max(float(np.max(np.abs(d), initial=0.0)) for d in v.values())
        h = self.rel_step * max(1.0, x_max) / max(v_max, 1e-300)
        plus, minus = dict(point), dict(point)
        for w, d in v.items():
            plus[w], minus[w] = point[w] + h * d, point[w] - h * d
        return (self.f(plus) - self.f(minus)) / (2 * h)

    def agree(self, a: np.ndarray, b: np.ndarray, f0: float) -> np.ndarray:
        """Entrywise agreement of a derivative with a difference, within FD tolerance."""
        scale = np.maximum(np.abs(a), np.abs(b))
        return np.abs(a - b) <= self.rtol * scale + self.noise * fscale(f0)


def fscale(f0: float) -> float:
    """The size of f that finite differences' roundoff is relative to: |f| itself, so that a
    verdict does not change when the loss is scaled (1 only when f is exactly 0)."""
    return abs(f0) if f0 != 0.0 else 1.0
