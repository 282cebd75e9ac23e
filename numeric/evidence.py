"""What finite differences may conclude, and when they must defer (issue 13.3, 13.4).

Two judgements rest on differences of the user's forward:

* a derivation is distrusted only where refined differences (numeric.refine) are accurate
  enough to decide and still disagree with it: a central difference at one step is not
  enough evidence against a derivation (a deep network's curvature makes it 1e-2 off);
* without a derivation (numeric only), the user's gradient is judged relative to itself and
  to the gradient's scale, never to |f|; entries that differences cannot decide (round-off of
  a large constant in f swamps them) are settled by the Taylor-remainder slope.

Functions of one entry at a time are given vectorised, as in numeric.refine.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
from derive.numeric import kinks as K
from derive.numeric import refine as R
from derive.numeric.compare import Comparison, compare, rel_error
from derive.numeric.config import FD_STEP_FLOOR

Index = tuple[int, ...]
EntryFunctions = Callable[[Sequence[Index]], R.EntryFunction]

# A Taylor-remainder slope at or above this says the gradient is right (about 2), below
# TAYLOR_WRONG wrong (about 1); halfway with margin for a fit over a few points.
TAYLOR_RIGHT = 1.7
TAYLOR_WRONG = 1.3

# Entries refined at most per gradient and point (each costs ~2 * MAX_SWEEP forward calls):
# more disputed entries than this is not a matter of a few inaccurate differences.
REFINE_MAX = 256


def still_disagree(values: np.ndarray, fe: R.EntryFunction, x: np.ndarray, f0: float,
                   rel_step: float, rtol: float, scale: float) -> np.ndarray:
    """Per disputed entry: True where refined differences decide and disagree with the value
    (so the derivation is in doubt there); False where they agree or cannot decide."""
    r = R.refine(fe, x, rel_step, f0)
    return R.decisive(r, scale) & ~R.agrees(values, r, rtol)


def numeric_verdict(fdv: np.ndarray, cand: np.ndarray, f0: float, rel_step: float,
                    rtol: float, entries: EntryFunctions, x: np.ndarray,
                    slope: Callable[[], float | None], atol: float = 0.0,
                    refine: bool = True, known: np.ndarray | None = None) -> Comparison:
    """Judge a same-shaped finite candidate against central differences ``fdv``.

    Entries agreeing within rtol are taken as exact; disputed ones (or non-finite
    differences: the step left the domain) are refined, the most disputed first; those the
    refinement cannot decide follow the Taylor slope of the candidate (``slope()``); what
    still differs is checked for a kink (one-sided bracket with its own error) before it is
    called wrong. ``refine=False`` (a step the user chose) judges with the plain differences.
    ``known``: the entries that were differenced (the others are not evidence either way).
    """
    sampled = known is not None
    known = np.ones(fdv.shape, dtype=bool) if known is None else known
    # the differenced entries a diagnosis may rest on: those that agreed, and those that
    # refined differences decided (plain differences beyond REFINE_MAX are not accurate)
    telling = known.copy()
    noisy = np.zeros(fdv.shape, dtype=bool)  # differences within their own round-off
    scale = float(max(np.max(np.abs(cand), initial=0.0), np.nanmax(np.abs(fdv), initial=0.0)))
    with np.errstate(invalid="ignore"):
        off = np.abs(fdv - cand) / np.maximum(rtol * np.maximum(np.abs(fdv), np.abs(cand)),
                                              np.finfo(np.float64).tiny)
        agree = ~known | (np.isfinite(fdv) & (np.abs(fdv - cand) <= rtol * np.maximum(
            np.abs(fdv), np.abs(cand))))
    ref = np.where(agree, cand, fdv)
    where = np.argwhere(~agree)
    severity = np.nan_to_num(off[tuple(where.T)], nan=np.inf) if where.size else off[:0]
    disputed = [tuple(int(i) for i in where[j]) for j in np.argsort(-severity, kind="stable")]
    if refine:
        # sampled (a large gradient): a difference within its own round-off is no evidence
        # against, and not worth a refinement (the Taylor test still judges the whole)
        first = [i for i in disputed if not _in_noise(ref, cand, x, i, f0, rel_step)] \
            if sampled else disputed
        ref, decided = _refine_some(ref, cand, first[:REFINE_MAX], entries, x, f0, rel_step,
                                    rtol, scale, slope)
        telling &= agree
        if decided:
            telling[tuple(np.array(decided).T)] = True
        # beyond REFINE_MAX, likewise
        for idx in disputed if sampled else disputed[REFINE_MAX:]:
            if _in_noise(ref, cand, x, idx, f0, rel_step):
                ref[idx] = cand[idx]
                noisy[idx] = sampled  # sampled: left out of the stated errors too
    result = _finish(ref, cand, np.where(known & ~noisy, fdv, np.nan), rtol, entries, x, f0,
                     rel_step, atol)
    if not sampled:
        return result
    return on_sample(result, np.where(np.isfinite(ref), ref, cand), cand, known, telling,
                     rtol, atol)


def _in_noise(ref: np.ndarray, cand: np.ndarray, x: np.ndarray, idx: Index, f0: float,
              rel_step: float) -> bool:
    """Whether the difference at idx is within the round-off of a central difference of f at
    that entry's step (numeric.fd's: rel_step * max(FD_STEP_FLOOR, |x|))."""
    h = rel_step * max(FD_STEP_FLOOR, abs(float(x[idx])))
    return bool(abs(ref[idx] - cand[idx]) <= R.difference_noise(f0, h))


def _refine_some(ref: np.ndarray, cand: np.ndarray, where: list[Index],
                 entries: EntryFunctions, x: np.ndarray, f0: float, rel_step: float,
                 rtol: float, scale: float, slope: Callable[[], float | None]
                 ) -> tuple[np.ndarray, list[Index]]:
    """Refined values at ``where``, and the entries where they are accurate to rtol."""
    if not where:
        return ref, []
    ref = ref.copy()
    xs = np.array([x[i] for i in where], dtype=np.float64)
    cs = np.array([cand[i] for i in where], dtype=np.float64)
    r = R.refine(entries(where), xs, rel_step, f0)
    sure = R.decisive(r, scale) if scale > 0 else np.isfinite(r.value)
    ok = R.agrees(cs, r, rtol)
    undecided = ~sure
    verdict_right = None
    if np.any(undecided & ~ok) or np.any(~np.isfinite(r.value)):
        s = slope()
        verdict_right = s is not None and math.isfinite(s) and s >= TAYLOR_RIGHT
        if s is not None and math.isfinite(s) and s < TAYLOR_WRONG:
            verdict_right = False
    for j, idx in enumerate(where):
        if ok[j] and (sure[j] or verdict_right is not False):
            ref[idx] = cs[j]
        elif sure[j]:
            ref[idx] = r.value[j]
        elif verdict_right:
            ref[idx] = cs[j]
        elif np.isfinite(r.value[j]):
            ref[idx] = r.value[j]
    with np.errstate(invalid="ignore"):
        exact = sure & (R.AGREE_MARGIN * r.error <= rtol * np.abs(r.value))
    return ref, [idx for j, idx in enumerate(where) if exact[j]]


def _finish(ref: np.ndarray, cand: np.ndarray, fdv: np.ndarray, rtol: float,
            entries: EntryFunctions, x: np.ndarray, f0: float, rel_step: float,
            atol: float = 0.0) -> Comparison:
    """compare() on the settled reference; wrong entries get a kink check first."""
    if not np.all(np.isfinite(ref)):
        ref = np.where(np.isfinite(ref), ref, cand)  # undecidable and no evidence: not wrong
    result = compare(ref, cand, rtol=rtol, atol=atol)
    if result.verdict == "wrong" and 0 < len(result.entries) <= REFINE_MAX:
        # any same-shape diagnosis (a tie can look like "scaled"): kinks are asked first
        where = list(result.entries)
        xs = np.array([x[i] for i in where], dtype=np.float64)
        br = K.bracket(entries(where), xs, f0, R.usual_step(xs, rel_step))
        lo, hi = ref.copy(), ref.copy()
        for j, idx in enumerate(where):
            if br.kinks[j]:
                lo[idx], hi[idx] = br.lo[j], br.hi[j]
        if np.any(br.kinks) and np.all(np.isfinite(lo)) and np.all(np.isfinite(hi)):
            at_kink = compare(ref, cand, rtol=rtol, atol=atol, subgradient=(lo, hi))
            if at_kink.verdict == "nondifferentiable":
                result = at_kink
    fin = np.isfinite(fdv)
    raw_rel = float(np.max(rel_error(fdv[fin], cand[fin]), initial=0.0))
    raw_abs = float(np.max(np.abs(fdv[fin] - cand[fin]), initial=0.0))
    if result.verdict == "wrong":
        return replace(result, max_rel_error=max(raw_rel, result.max_rel_error),
                       max_abs_error=max(raw_abs, result.max_abs_error))
    return replace(result, max_rel_error=raw_rel, max_abs_error=raw_abs)


def on_sample(result: Comparison, ref: np.ndarray, cand: np.ndarray, known: np.ndarray,
              telling: np.ndarray, rtol: float, atol: float = 0.0) -> Comparison:
    """A verdict reached on the differenced entries only (``known``), said so: a wrong
    gradient is diagnosed on those whose differences are accurate (``telling``: a factor
    shows on any of them), and "k of n wrong" counts the differenced entries."""
    if result.verdict != "wrong" or result.diagnosis != "entries" or not np.any(telling):
        return result
    sub = compare(ref[telling], cand[telling], rtol=rtol, atol=atol)
    if sub.diagnosis in ("scaled", "sign"):
        return replace(result, diagnosis=sub.diagnosis, factor=sub.factor,
                       message=f"{sub.message} (on {int(np.sum(telling))} of the "
                               f"{int(np.sum(known))} entries differenced)")
    said = f"{len(result.entries)} of {cand.size} wrong"
    if said in result.message:
        return replace(result, message=result.message.replace(
            said, f"{len(result.entries)} of {int(np.sum(known))} differenced entries wrong"))
    return result
