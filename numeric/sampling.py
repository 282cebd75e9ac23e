"""Numeric-only judging at scale: which entries to difference, within a budget (issue 16.5).

Without a derivation, a user's gradient is judged by differences of the user's forward, a
black box: a forward returns one scalar, so it cannot be shown to be batch-safe and every
perturbed evaluation is one call. A gradient of n entries costs 2n calls per point when
every entry is differenced; above NUMERIC_BUDGET entries that is replaced by

* random directions over blocks of the entries (every entry in exactly one block, 2 calls a
  block): a block whose difference quotient disagrees with the gradient along its direction
  holds a suspect, and every entry of it is differenced (suspects first, by how badly their
  block failed), so a wrong entry is located by index;
* a uniform sample of the other entries, up to the budget at the first point and
  NUMERIC_LATER entries at the others.

Within the budget the first point differences every entry, and the others only the entries
of failed directions (as the traced path, which differences entries at one point and looks
along directions at the others): an error that comes and goes with the point is still seen.

What may have escaped is stated: the chance that an error confined to one entry, as large as
the gradient's largest entry, is neither sampled nor seen by its block's direction.

:class:`Evaluations` is f at one point with single entries changed, remembered: refinement
and one-sided brackets reuse what the central differences evaluated, and f(x) is never
recomputed. Progress of a long check is reported through a callback (:class:`Ticker`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from derive.numeric.config import (
    NUMERIC_BLOCK,
    NUMERIC_BUDGET,
    NUMERIC_DIRECTIONS,
    NUMERIC_LATER,
)

Index = tuple[int, ...]
Forward = Callable[[Mapping[str, np.ndarray]], float]
Say = Callable[[str], None]

# Progress is said only once a judgement has run this long (the 1.5 s after which a person
# at a terminal wonders whether it hangs, as reports.progress), then at most this often.
PROGRESS_AFTER_S = 1.5
PROGRESS_EVERY_S = 1.5


class Ticker:
    """Counts forward calls against an estimate; says how far it is when the work is slow."""

    def __init__(self, say: Say | None, what: str, total: int) -> None:
        self.say, self.what, self.total = say, what, max(1, total)
        self.done = 0
        self.t0 = self.last = time.perf_counter()
        self.spoken = False

    def add(self, calls: int) -> None:
        self.done += calls
        if self.say is None:
            return
        now = time.perf_counter()
        if now - self.t0 < PROGRESS_AFTER_S or now - self.last < PROGRESS_EVERY_S:
            return
        self.last, self.spoken = now, True
        share = min(99, int(100 * self.done / self.total))
        self.say(f"{self.what}: {share}% of about {self.total} forward calls")


class Evaluations:
    """f at one point with entries of one input changed; each value computed once.

    One working copy of the input is changed and restored around each call (f must not keep
    or modify its argument: derive.verify's forward works on copies), instead of a fresh copy
    of the whole input per call."""

    def __init__(self, f: Forward, point: Mapping[str, np.ndarray], name: str, f0: float,
                 ticker: Ticker | None = None) -> None:
        self.f, self.point, self.name, self.f0 = f, point, name, float(f0)
        self.x = np.asarray(point[name])
        self.work = np.array(point[name], copy=True)
        self.memo: dict[tuple[int, float], float] = {}
        self.ticker = ticker
        self.calls = 0

    def _call(self) -> float:
        self.calls += 1
        if self.ticker is not None:
            self.ticker.add(1)
        return float(self.f({**self.point, self.name: self.work}))

    def at(self, flat: int, value: float) -> float:
        """f with entry ``flat`` (row-major) set to value; nan outside the reals."""
        if not math.isfinite(value):
            return math.nan
        key = (int(flat), float(value))
        if key not in self.memo:
            if value == float(self.x.flat[flat]):
                self.memo[key] = self.f0
            else:
                old = self.work.flat[flat]
                self.work.flat[flat] = value
                try:
                    self.memo[key] = self._call()
                finally:
                    self.work.flat[flat] = old
        return self.memo[key]

    def entries(self, indices: list[Index]) -> Callable[[np.ndarray], np.ndarray]:
        """The entry function of numeric.refine: values[i] at indices[i], one call each."""
        shape = self.x.shape
        flat = [int(np.ravel_multi_index(i, shape)) if shape else 0 for i in indices]

        def fe(values: np.ndarray) -> np.ndarray:
            return np.array([self.at(j, float(v)) for j, v in zip(flat, values)])

        return fe

    def along(self, flat: np.ndarray, v: np.ndarray, t: float) -> float:
        """f with the entries ``flat`` moved by t * v (one block's direction)."""
        self.work.flat[flat] = self.x.flat[flat] + t * v
        try:
            return self._call()
        finally:
            self.work.flat[flat] = self.x.flat[flat]


@dataclass(frozen=True)
class Plan:
    """Entries to difference at one point and what the directions found."""

    chosen: list[Index]
    suspects: int
    size: int
    directions: int
    failed: int
    miss: float


def every_entry(shape: Index) -> bool:
    """Whether a gradient of this shape is differenced at every entry (within the budget)."""
    return int(np.prod(shape, dtype=np.int64)) <= NUMERIC_BUDGET


def block_size(n: int) -> int:
    """Entries per direction: NUMERIC_BLOCK, larger when that would exceed the directions."""
    return max(NUMERIC_BLOCK, -(-n // NUMERIC_DIRECTIONS))


def plan(ev: Evaluations, cand: np.ndarray, rtol: float, noise: float, rel_step: float,
         rng: np.random.Generator, sample: int = NUMERIC_BUDGET) -> Plan:
    """Directions over random blocks, then the suspects (up to the budget) and a sample (up
    to the budget, and to ``sample`` entries).

    A block fails when |difference quotient - cand . v| exceeds rtol |cand over the block|
    plus ``noise`` (round-off of f, absolute), as the traced path's directions do."""
    shape = cand.shape
    n = cand.size
    c = cand.ravel()
    m = block_size(n)
    order = rng.permutation(n)
    blocks = [order[i:i + m] for i in range(0, n, m)]
    err = float(np.max(np.abs(c), initial=0.0))
    failed: list[tuple[float, np.ndarray]] = []
    escape = 0.0
    for b in blocks:
        v = rng.standard_normal(b.size)
        v /= max(float(np.linalg.norm(v)), 1e-300)
        x_max = float(np.max(np.abs(ev.x.flat[b]), initial=0.0))
        h = rel_step * max(1.0, x_max) / max(float(np.max(np.abs(v))), 1e-300)
        with np.errstate(all="ignore"):
            dd = (ev.along(b, v, h) - ev.along(b, v, -h)) / (2 * h)
        gv = float(c[b] @ v)
        slack = rtol * float(np.linalg.norm(c[b])) + noise
        if not abs(dd - gv) <= slack:  # nan (the step left the domain) is a failure too
            failed.append((abs(dd - gv) / slack if slack > 0 else math.inf, b))
        elif err > 0:
            escape = max(escape, math.erf(slack * math.sqrt(b.size) / (err * math.sqrt(2.0))))
    failed.sort(key=lambda fb: -fb[0])
    seen = np.concatenate([b for _, b in failed]) if failed else np.zeros(0, dtype=np.int64)
    suspects = seen[:NUMERIC_BUDGET]
    if seen.size > suspects.size:  # failed blocks left unexamined: nothing can be promised
        escape = 1.0
    rest = np.setdiff1d(np.arange(n), suspects, assume_unique=True)
    k = min(rest.size, NUMERIC_BUDGET - suspects.size, sample)
    sample = np.sort(rng.choice(rest, k, replace=False)) if k > 0 else rest[:0]
    flat = np.concatenate([suspects, sample]).astype(np.int64)
    chosen = [tuple(int(i) for i in idx) for idx in zip(*np.unravel_index(flat, shape))]
    unsampled = 1.0 - k / rest.size if rest.size else 0.0
    miss = unsampled * (escape if err > 0 else 1.0)
    return Plan(chosen, int(suspects.size), n, len(blocks), len(failed), miss)


def first_only(n: int, k: int) -> bool:
    """Whether point k differences every entry: the first point within the budget (and a
    gradient of one entry, where a direction is a difference)."""
    return n <= 1 or (k == 0 and n <= NUMERIC_BUDGET)


def later_sample(n: int) -> int:
    """Entries sampled besides suspects at points after the first: none when the first
    point differenced every entry (its directions still cover every entry), else a few."""
    return 0 if n <= NUMERIC_BUDGET else NUMERIC_LATER


def calls_estimate(n: int, points: int) -> int:
    """Forward calls of one gradient over all points: 2 per direction and per entry."""
    directions = 2 * (-(-n // block_size(n)))
    first = 2 * n if n <= NUMERIC_BUDGET else directions + 2 * NUMERIC_BUDGET
    later = 2 * n if n <= 1 else directions + 2 * later_sample(n)
    return first + (points - 1) * later


def mask(shape: Index, chosen: list[Index]) -> np.ndarray:
    """True at the chosen entries."""
    out = np.zeros(shape, dtype=bool)
    for idx in chosen:
        out[idx] = True
    return out


def uniform(shape: Index, rng: np.random.Generator) -> Plan:
    """A uniform sample of NUMERIC_BUDGET entries, no directions (a gradient unusable as it
    is: wrong shape or not finite, so wrong whatever the differences say)."""
    n = int(np.prod(shape, dtype=np.int64))
    flat = np.sort(rng.choice(n, min(n, NUMERIC_BUDGET), replace=False))
    chosen = [tuple(int(i) for i in idx) for idx in zip(*np.unravel_index(flat, shape))]
    return Plan(chosen, 0, n, 0, 0, 1.0 - flat.size / n)
