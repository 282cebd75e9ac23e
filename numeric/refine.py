"""Finite differences good enough to overrule a derivation: a sweep of steps, Richardson.

A central difference at one fixed step can be off by far more than its nominal O(h^2) where
the function curves hard (a deep tanh network, 1/x near 0) or where the step leaves the
function's domain (log or sqrt of 1e-7 with a step of 6e-6). Before a difference is allowed
to say a derivation is wrong, it is refined here: central differences at a sweep of steps
(starting at the usual step and shrinking towards one scaled with |x|), combined by Richardson
extrapolation (which is the five-point stencil, then the seven-point one), each with an error
estimate; per entry the estimate with the smallest error wins. Steps whose evaluations are not
finite (outside the domain) are skipped.

The function is given vectorised over entries: ``fe(values)`` evaluates f once per chosen
entry i with x_i replaced by values[i] (the others fixed), so the caller decides whether that
is a loop over a black-box forward or one batched pass through a graph.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# f with entry i set to values[i], for every chosen entry i at once: shape (m,) -> (m,).
EntryFunction = Callable[[np.ndarray], np.ndarray]

_EPS = float(np.finfo(np.float64).eps)

# Each step of the sweep halves the previous one: Richardson's ratio 2, the classic choice
# (the error terms of central differences shrink by 4 and 16 per halving).
STEP_RATIO = 2.0

# At most this many steps per sweep (2 evaluations each): from the usual step down by 2^11,
# enough to reach a step scaled with |x| = 1e-3 from one scaled with max(1, |x|).
MAX_SWEEP = 12

# At least this many, so that two Richardson levels have data even when |x| >= 1.
MIN_SWEEP = 5

# Round-off of a difference quotient: each of its two evaluations of f is off by ~eps |f| (an
# ulp or so of the result), divided by the step; 2 ulps in all.
ROUNDOFF_ULPS = 2.0

# A refined estimate decides only where its error, times AGREE_MARGIN, is below this fraction
# of the gradient's scale: otherwise it cannot tell a right entry from a wrong one.
DECISIVE = 0.1

# How many estimated errors apart a value and a refined difference may be and still agree:
# the estimate is the change between neighbouring steps, about the size of the error itself.
AGREE_MARGIN = 2.0

# The smallest step a sweep goes to, relative to the usual one: below 1e-4 of it round-off
# (eps |f| / h) dominates every smooth f.
MIN_STEP_FRACTION = 1e-4


@dataclass(frozen=True)
class Refined:
    """Per entry: the best derivative estimate, its error estimate and the step it used."""

    value: np.ndarray
    error: np.ndarray
    step: np.ndarray


def usual_step(x: np.ndarray, rel_step: float) -> np.ndarray:
    """The default step: rel_step * max(1, |x|) (large entries are not under-perturbed)."""
    return rel_step * np.maximum(1.0, np.abs(np.asarray(x, dtype=np.float64)))


def sweep_length(x: np.ndarray) -> int:
    """Steps needed to go from max(1, |x|) down to |x|/4 (a step scaled to the entry), bounded."""
    ax = np.abs(np.asarray(x, dtype=np.float64))
    small = ax[(ax > 0) & (ax < 1)]
    if small.size == 0:
        return MIN_SWEEP
    need = int(np.ceil(np.log2(1.0 / float(np.min(small))))) + 3
    return int(min(MAX_SWEEP, max(MIN_SWEEP, need)))


def central(fe: EntryFunction, x: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Central difference per entry, with the exactly representable step (x+h) - (x-h)."""
    up, down = x + h, x - h
    with np.errstate(all="ignore"):
        return (np.asarray(fe(up), dtype=np.float64) - np.asarray(fe(down), dtype=np.float64)) \
            / (up - down)


def _roundoff(fscale: float, h: np.ndarray) -> np.ndarray:
    return ROUNDOFF_ULPS * _EPS * max(abs(fscale), np.finfo(np.float64).tiny) / h


def refine(fe: EntryFunction, x: np.ndarray, rel_step: float, fscale: float,
           steps: int | None = None) -> Refined:
    """Richardson-extrapolated central differences over a sweep of steps, per entry.

    Level 1 of the table is the five-point stencil (error O(h^4)), level 2 the seven-point one
    (O(h^6)); the error of an estimate is its change from the same level at the next larger
    step plus round-off. ``fscale`` is |f| at x (for the round-off term). Entries where no step
    stays finite get value nan and error inf.
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    n = sweep_length(x) if steps is None else steps
    h0 = usual_step(x, rel_step)
    hs = [h0 / STEP_RATIO**k for k in range(n)]
    d = [central(fe, x, h) for h in hs]
    best = np.full(x.shape, np.nan)
    err = np.full(x.shape, np.inf)
    step = np.full(x.shape, np.nan)
    level = [np.asarray(v) for v in d]
    for order in (1, 2):
        r4 = STEP_RATIO ** (2 * order)
        level = [level[k + 1] + (level[k + 1] - level[k]) / (r4 - 1) for k in range(len(level) - 1)]
        for k in range(1, len(level)):
            h = hs[k + order]
            e = np.abs(level[k] - level[k - 1]) + _roundoff(fscale, h)
            better = np.isfinite(level[k]) & np.isfinite(e) & (e < err) & \
                (h >= MIN_STEP_FRACTION * h0)
            best = np.where(better, level[k], best)
            err = np.where(better, e, err)
            step = np.where(better, h, step)
    return Refined(best, err, step)


def agrees(value: np.ndarray, refined: Refined, rtol: float,
           margin: float = AGREE_MARGIN) -> np.ndarray:
    """Whether a derivative value is within the refined estimate's error (times a margin) or
    within rtol of it relatively: the refined difference cannot tell them apart."""
    v = np.asarray(value, dtype=np.float64).ravel()
    slack = margin * refined.error + rtol * np.maximum(np.abs(v), np.abs(refined.value))
    with np.errstate(invalid="ignore"):
        return np.abs(v - refined.value) <= slack


def decisive(refined: Refined, scale: float, margin: float = AGREE_MARGIN) -> np.ndarray:
    """Where the refined estimate is accurate enough to judge an entry of a gradient whose
    largest entry is ``scale`` (its error well below that scale)."""
    return np.isfinite(refined.value) & (margin * refined.error <= DECISIVE * abs(scale))


# Absolute noise of a central difference at the usual step, in ulps of |f|: a forward pass of
# many operations can lose up to ~1e3 ulps of its result (numeric.fd.TAYLOR_ROUNDOFF_FACTOR).
NOISE_ULPS = 1e3


def difference_noise(fscale: float, rel_step: float) -> float:
    """How far a central difference of f (|f| ~ fscale) may be from the derivative through
    round-off alone: NOISE_ULPS * eps * |f| / h. Below it, differences cannot judge."""
    return NOISE_ULPS * _EPS * abs(fscale) / rel_step
