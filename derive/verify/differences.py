"""Finite differences of the user's forward: central, one-sided, directional."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from derive.numeric.config import FD32_NOISE, FD32_REL_STEP, FD32_RTOL, FD_NOISE, FD_RTOL
from derive.numeric.fd import FD_REL_STEP, FD_STEP_FLOOR
from derive.verify.calls import _ScalarForward

Shape = tuple[int, ...]
Arrays = dict[str, np.ndarray]


# ---------------------------------------------------------------- finite differences


def _flat_indices(shape: Shape, flat: np.ndarray) -> list[tuple[int, ...]]:
    if not shape:
        return [()]
    return [tuple(int(i) for i in idx) for idx in zip(*np.unravel_index(flat, shape))]


def _perturbed(point: Arrays, name: str, idx: tuple[int, ...], value: float) -> Arrays:
    out = dict(point)
    x = np.array(point[name], copy=True)
    x[idx] = value
    out[name] = x
    return out


class _Differences:
    """Central and one-sided differences of the user's forward at chosen entries."""

    def __init__(self, f: _ScalarForward, eps: float | None = None) -> None:
        self.f = f
        self.rel_step = eps if eps is not None else FD32_REL_STEP if f.float32 else FD_REL_STEP
        self.rtol = FD32_RTOL if f.float32 else FD_RTOL
        self.noise = FD32_NOISE if f.float32 else FD_NOISE

    def _h(self, x: float) -> float:
        return self.rel_step * max(FD_STEP_FLOOR, abs(x))

    def central(self, point: Arrays, name: str, indices: list[tuple[int, ...]]) -> np.ndarray:
        """Central differences; an entry below FD_STEP_FLOOR in size also tries a step
        following |x| (log or 1/x at 1e-7) and keeps whichever changes least when its step
        doubles (Richardson's error estimate), so a singularity is not mistaken for a kink."""
        out = np.empty(len(indices))
        x = point[name]
        for i, idx in enumerate(indices):
            xi = float(x[idx])
            out[i] = self._at(point, name, idx, xi, self._h(xi))
            if 0.0 < abs(xi) < FD_STEP_FLOOR:
                out[i] = self._best(point, name, idx, xi, out[i])
        return out

    def _at(self, point: Arrays, name: str, idx: tuple[int, ...], xi: float, h: float) -> float:
        up, down = xi + h, xi - h
        fp = self.f(_perturbed(point, name, idx, up))
        fm = self.f(_perturbed(point, name, idx, down))
        return (fp - fm) / (up - down)

    def _best(self, point: Arrays, name: str, idx: tuple[int, ...], xi: float,
              first: float) -> float:
        options = []
        for h, d in ((self._h(xi), first), (self.rel_step * abs(xi), None)):
            d = self._at(point, name, idx, xi, h) if d is None else d
            err = abs(d - self._at(point, name, idx, xi, 2 * h))
            options.append((err if math.isfinite(err) else math.inf, d))  # left the domain
        return min(options, key=lambda o: o[0])[1]

    def one_sided(self, point: Arrays, name: str, indices: list[tuple[int, ...]],
                  f0: float, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
        left, right = np.empty(len(indices)), np.empty(len(indices))
        x = point[name]
        for i, idx in enumerate(indices):
            xi = float(x[idx])
            # below the floor the step follows |x|: a one-sided step must not reach across a
            # singularity at 0 (log, 1/x); a kink exactly at x = 0 keeps the floor's step
            small = 0.0 < abs(xi) < FD_STEP_FLOOR
            h = scale * (self.rel_step * abs(xi) if small else self._h(xi))
            up, down = xi + h, xi - h
            left[i] = (f0 - self.f(_perturbed(point, name, idx, down))) / (xi - down)
            right[i] = (self.f(_perturbed(point, name, idx, up)) - f0) / (up - xi)
        return left, right

    def bracket(self, point: Arrays, name: str, indices: list[tuple[int, ...]],
                f0: float) -> tuple[np.ndarray, np.ndarray]:
        """[left, right] one-sided derivatives, widened by their own error: a one-sided
        difference is off by O(h), estimated as its change when h doubles (so a correct
        subgradient is never outside by that error, whatever RTOL)."""
        lo, hi = self.one_sided(point, name, indices, f0)
        lo2, hi2 = self.one_sided(point, name, indices, f0, scale=2.0)
        err = np.maximum(np.abs(lo - lo2), np.abs(hi - hi2))
        return np.minimum(lo, hi) - err, np.maximum(lo, hi) + err

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
        return np.abs(a - b) <= self.rtol * scale + self.noise * _fscale(f0)

def _fscale(f0: float) -> float:
    """The size of f that finite differences' roundoff is relative to: |f| itself, so that a
    verdict does not change when the loss is scaled (1 only when f is exactly 0)."""
    return abs(f0) if f0 != 0.0 else 1.0
