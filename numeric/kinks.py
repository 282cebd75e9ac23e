"""Judging a gradient at a kink: one-sided differences with their own error, and conventions.

At a kink (ReLU at 0, |x| at 0, a tie in max) any value between the left and right
derivatives is a subgradient, so it is ``nondifferentiable``, never ``wrong``. One-sided
differences carry an O(h) error (curvature times h), far above any fixed relative tolerance,
so both the bracket [left, right] and the test "is this a kink at all" are widened by that
error, estimated as the change of each one-sided difference when h doubles, plus round-off.

Where many kinks are hit at once (a zero-initialised layer, a padding row with zero bias) one
entry's one-sided differences need not bracket the chain rule's value; there the caller
evaluates the chain rule with every kink node's derivative fixed to one framework convention
(relu'(0) = 0, 1/2 or 1) and :func:`match_convention` names the one a candidate equals.

Functions are given vectorised over entries, as in :mod:`numeric.refine`. :func:`bracket` is
the one implementation: numeric.fd.Differences.bracket (traced judging) calls it with its
own steps, numeric.evidence (numeric only) with the usual ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

EntryFunction = Callable[[np.ndarray], np.ndarray]

_EPS = float(np.finfo(np.float64).eps)

# A jump between left and right slopes is a kink only when it exceeds this many times the
# one-sided differences' own error: on a smooth f the two differ by ~f'' h, which is about
# twice the doubling estimate, so 8 keeps smooth points out with margin.
KINK_ERROR_FACTOR = 8.0

# Round-off of a one-sided difference: f(x +- h) and f(x) each off by ~eps |f|; 4 ulps.
ROUNDOFF_ULPS = 4.0

# The bracket is widened by this many estimated errors: the estimate is itself only about
# the size of the error, so a correct subgradient at the bracket's end is never left out.
BRACKET_MARGIN = 2.0

# The values a framework gives the derivative of a step at 0 (relu'(0), a tie in max):
# x > 0 masks give 0, x >= 0 masks give 1, a symmetric rule 1/2.
CONVENTIONS = ((0.0, "relu'(0) = 0 (a mask written x > 0)"),
               (1.0, "relu'(0) = 1 (a mask written x >= 0)"),
               (0.5, "relu'(0) = 1/2"))


@dataclass(frozen=True)
class Bracket:
    """One-sided derivatives per entry, lo <= hi, and the error of each (already O(h))."""

    left: np.ndarray
    right: np.ndarray
    error: np.ndarray

    @property
    def lo(self) -> np.ndarray:
        return np.minimum(self.left, self.right) - BRACKET_MARGIN * self.error

    @property
    def hi(self) -> np.ndarray:
        return np.maximum(self.left, self.right) + BRACKET_MARGIN * self.error

    @property
    def kinks(self) -> np.ndarray:
        """Where left and right differ by more than their own error could explain."""
        with np.errstate(invalid="ignore"):
            return np.abs(self.right - self.left) > KINK_ERROR_FACTOR * self.error

    def inside(self, value: np.ndarray) -> np.ndarray:
        """Whether each value lies in the widened bracket [lo, hi]."""
        v = np.asarray(value, dtype=np.float64).ravel()
        with np.errstate(invalid="ignore"):
            return (v >= self.lo) & (v <= self.hi)


def one_sided(fe: EntryFunction, x: np.ndarray, f0: float, h: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """(left, right) differences per entry with the exactly representable steps."""
    up, down = x + h, x - h
    with np.errstate(all="ignore"):
        left = (f0 - np.asarray(fe(down), dtype=np.float64)) / (x - down)
        right = (np.asarray(fe(up), dtype=np.float64) - f0) / (up - x)
    return left, right


def bracket(fe: EntryFunction, x: np.ndarray, f0: float, h: np.ndarray) -> Bracket:
    """One-sided derivatives at steps h and 2h: the h ones, with their change as the error."""
    x = np.asarray(x, dtype=np.float64).ravel()
    h = np.broadcast_to(np.asarray(h, dtype=np.float64), x.shape)
    left, right = one_sided(fe, x, f0, h)
    left2, right2 = one_sided(fe, x, f0, 2.0 * h)
    roundoff = ROUNDOFF_ULPS * _EPS * max(abs(f0), np.finfo(np.float64).tiny) / h
    with np.errstate(invalid="ignore"):
        error = np.maximum(np.abs(left - left2), np.abs(right - right2)) + roundoff
    return Bracket(left, right, error)


def subgradient(value: np.ndarray, br: Bracket) -> np.ndarray:
    """Entries where the value is a subgradient: at a kink and inside its bracket."""
    return br.kinks & br.inside(value)


def match_convention(candidate: np.ndarray, by_convention: Mapping[str, np.ndarray],
                     close: Callable[[np.ndarray, np.ndarray], bool]) -> str | None:
    """The name of the first convention whose chain-rule gradient the candidate equals
    (``close(reference, candidate)``), or None. Non-finite references never match."""
    for name, ref in by_convention.items():
        r = np.asarray(ref, dtype=np.float64)
        if r.shape == np.shape(candidate) and np.all(np.isfinite(r)) and close(r, candidate):
            return name
    return None
