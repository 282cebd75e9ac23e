"""Stage 4 without a derivation (numeric only): your gradient against differences of your
forward, every entry up to NUMERIC_BUDGET, beyond it the entries of failed random directions
and a sample (numeric.sampling), with the chance of a missed one-entry error stated."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from derive.numeric import evidence
from derive.numeric import sampling as S
from derive.numeric.compare import Comparison, compare
from derive.numeric.config import NUMERIC_BUDGET, TAYLOR_SEED
from derive.numeric.fd import Differences, fscale
from derive.verify.calls import _ScalarForward
from derive.verify.options import Options
from derive.verify.results import GradientResult

Shape = tuple[int, ...]
Arrays = dict[str, np.ndarray]

VERDICT_ORDER = {"ok": 0, "nondifferentiable": 1, "wrong": 2}


class NumericOnly:
    """The numeric-only judging of judge._Context, whose data (draws, user, diff, rng ...) and
    methods (_fd_tol, _slope: the tolerances, the Taylor test) it uses."""

    f: _ScalarForward
    draws: list[Arrays]
    fvals: list[float]
    user: list[dict[str, Any]]
    wrt: tuple[str, ...]
    opts: Options
    diff: Differences
    rng: np.random.Generator
    progress: Callable[[str], None] | None
    _fd_refs: dict[str, list[np.ndarray]]
    _numeric_miss: dict[str, float]
    _fd_tol: Callable[[], dict[str, float]]
    _slope: Callable[..., dict[str, Any]]

    def _numeric(self, w: str) -> GradientResult:
        """Per-entry central differences of the forward: every entry at the first point (up
        to NUMERIC_BUDGET), else the entries of failed random directions and a sample
        (numeric.sampling), with the chance of a missed one-entry error stated."""
        shape = np.shape(self.draws[0][w])
        size = int(np.prod(shape, dtype=np.int64))
        every = list(np.ndindex(*shape)) if shape else [()]
        ticker = S.Ticker(self.progress, f"judging {w} by finite differences of your forward",
                          S.calls_estimate(size, len(self.draws)))
        comparisons, refs, filled, plans = [], [], [], []
        for k, p in enumerate(self.draws):
            ev = S.Evaluations(self.f, p, w, self.fvals[k], ticker)
            plan = self._plan(w, k, ev)
            chosen = every if plan is None else plan.chosen
            known = None if plan is None else S.mask(shape, chosen)
            fdv = np.full(shape, np.nan)
            if chosen:
                fdv[tuple(np.array(chosen, dtype=np.int64).T)] = self.diff.central(p, w, chosen,
                                                                                   ev)
            filled.append(self._filled(fdv, self.user[k][w], known))
            refs.append(fdv if known is None else np.where(known, fdv, filled[-1]))
            comparisons.append(self._numeric_compare(w, fdv, self.user[k][w], k, ev, known))
            plans.append(plan)
        self._fd_refs[w] = filled
        self._numeric_miss[w] = math.prod(0.0 if pl is None else pl.miss for pl in plans)
        return aggregate(w, comparisons, refs, self.user, True,
                         _validation(size, plans, self.diff.rtol))

    def _plan(self, w: str, k: int, ev: S.Evaluations) -> S.Plan | None:
        """None: every entry; else the directions' suspects and a sample (numeric.sampling)."""
        shape = np.shape(self.draws[k][w])
        n = int(np.prod(shape, dtype=np.int64))
        if S.first_only(n, k):
            return None
        c = _finite_same(self.user[k][w], shape)
        if c is None:  # wrong anyway: a sample shows the differences, without directions
            return S.uniform(shape, self.rng)
        return S.plan(ev, c, self.diff.rtol, self.diff.noise * fscale(self.fvals[k]),
                      self.diff.rel_step, self.rng, NUMERIC_BUDGET if k == 0 else
                      S.later_sample(n))

    @staticmethod
    def _filled(fdv: np.ndarray, cand: Any, known: np.ndarray | None) -> np.ndarray:
        """The differences, with yours (or 0) where none was taken: a finite reference."""
        if known is None:
            return np.nan_to_num(fdv)
        c = _finite_same(cand, fdv.shape)
        rest = np.zeros(fdv.shape) if c is None else c
        return np.where(known, np.nan_to_num(fdv), rest)

    def _numeric_compare(self, w: str, fdv: np.ndarray, cand: Any, k: int,
                         ev: S.Evaluations, known: np.ndarray | None) -> Comparison:
        """compare() against differences judged relative to the gradient, not to f: disputed
        entries are refined (numeric.evidence), undecidable ones follow the Taylor slope."""
        c = _finite_same(cand, fdv.shape)
        if c is None:
            return compare(self._filled(fdv, cand, known), cand, **self._fd_tol())
        p = self.draws[k]

        def slope() -> float | None:
            return self._slope({w: c}, TAYLOR_SEED + self.wrt.index(w)).get("taylor_slope")

        tol = self._fd_tol()
        return evidence.numeric_verdict(fdv, c, self.fvals[k], self.diff.rel_step,
                                        tol["rtol"], lambda where: ev.entries(list(where)),
                                        np.asarray(p[w]), slope, atol=tol["atol"],
                                        refine=self.opts.eps is None, known=known)


def _finite_same(cand: Any, shape: Shape) -> np.ndarray | None:
    """Your gradient as float64 when it has this shape and is finite everywhere, else None."""
    try:
        c = np.asarray(cand, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return c if c.shape == shape and bool(np.all(np.isfinite(c))) else None


def aggregate(w: str, comparisons: list[Comparison], refs: list[np.ndarray],
               user: list[dict[str, Any]], numeric_only: bool, validation: str) -> GradientResult:
    """The worst point decides; entries are the union over points with that verdict."""
    worst = max(range(len(comparisons)), key=lambda i: (VERDICT_ORDER[comparisons[i].verdict],
                                                        -i))
    c = comparisons[worst]
    entries = sorted({e for x in comparisons if x.verdict == c.verdict for e in x.entries})
    rel = [x.max_rel_error for x in comparisons]
    ab = [x.max_abs_error for x in comparisons]
    return GradientResult(
        name=w, verdict=c.verdict, diagnosis=c.diagnosis, factor=c.factor,
        max_rel_error=_nanmax(rel), max_abs_error=_nanmax(ab), entries=entries,
        numeric_only=numeric_only, message=c.message, shape=tuple(refs[worst].shape),
        tolerance=c.tolerance, point=worst, expected=refs[worst], got=user[worst][w],
        validation=validation,
    )


def _nanmax(xs: list[float]) -> float:
    finite = [x for x in xs if not math.isnan(x)]
    return max(finite) if finite else float("nan")


def _validation(size: int, plans: list[S.Plan | None], rtol: float) -> str:
    """What was differenced: every entry at every point, or at the first, or a sample."""
    tol = f"tolerance rtol {rtol:g}"
    if all(pl is None for pl in plans):
        return (f"numeric only: central differences at all {size} entries of each of "
                f"{len(plans)} points ({tol})")
    dirs = f"random directions over blocks of {S.block_size(size)} entries"
    first = plans[0]
    said = (f"all {size} entries at point 1" if first is None else
            f"{len(first.chosen)} of {size} entries at point 1 (those of {dirs} that "
            "disagreed, then a random sample)")
    later = [len(pl.chosen) for pl in plans[1:] if pl is not None]
    if later:
        rest = "the other point" if len(later) == 1 else f"each of the other {len(later)} points"
        what = "a random sample and " if S.later_sample(size) else ""
        said += (f"; at {rest}, {dirs}, then {what}the entries of those that disagreed "
                 f"(at most {max(later)})")
    return f"numeric only: central differences at {said} ({tol})"
