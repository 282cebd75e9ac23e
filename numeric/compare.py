"""Compare a candidate gradient with a reference and name what is wrong with it.

Every verdict uses the fixed vocabulary in DIAGNOSES so that reports across the project agree.
Everything here is a pure function: no printing, no global state.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from derive.numeric.config import (  # noqa: F401 - the table's names
    ATOL_FLOOR,
    FLOAT32_RTOL,
    KINK_TOL,
    LOWP_ULPS,
    RTOL,
    SMALL_DIFFERENCE,
)

DIAGNOSES = (
    "scaled",
    "sign",
    "transposed",
    "shape",
    "collapsed",
    "missing-sum",
    "entries",
    "nondifferentiable",
)




VERDICTS = ("ok", "wrong", "nondifferentiable")


@dataclass(frozen=True)
class Comparison:
    """Outcome of :func:`compare`.

    factor is the constant for "scaled"/"sign" (also set for "transposed", "collapsed",
    "missing-sum" when a constant factor comes on top). Error fields are nan when the shapes
    cannot be aligned; entries lists wrong indices in the reference's shape (empty for shape
    problems).
    """

    verdict: str
    diagnosis: str | None
    factor: float | None
    max_abs_error: float
    max_rel_error: float
    entries: tuple[tuple[int, ...], ...]
    tolerance: float
    message: str

    @property
    def ok(self) -> bool:
        """True unless the candidate is wrong (nondifferentiable counts as acceptable)."""
        return self.verdict != "wrong"


def _floor(reference: np.ndarray) -> float:
    """Safe-denominator floor: ATOL_FLOOR * max|reference|, relative to the gradient's own
    scale so that a verdict does not change when the loss is scaled by any power of ten
    (ATOL_FLOOR itself when the reference is all zeros: then there is no scale)."""
    top = float(np.max(np.abs(reference), initial=0.0))
    return ATOL_FLOOR * top if top > 0 else ATOL_FLOOR


def rel_error(reference: Any, candidate: Any, floor: float | None = None) -> np.ndarray:
    """Elementwise |c - r| / max(|r|, |c|, floor), floor = ATOL_FLOOR * max|r| by default.

    Symmetric in size (a candidate 10x too large scores 0.9, not 9), bounded by 2 for
    finite inputs, safe near zero thanks to the floor, and unchanged when both are scaled by
    the same factor. Inputs are broadcast together.
    """
    r = np.asarray(reference, dtype=np.float64)
    c = np.asarray(candidate, dtype=np.float64)
    r, c = np.broadcast_arrays(r, c)
    denom = np.maximum(np.maximum(np.abs(r), np.abs(c)), _floor(r) if floor is None else floor)
    with np.errstate(invalid="ignore"):
        return np.abs(c - r) / denom


def _close(reference: np.ndarray, candidate: np.ndarray, tol: float) -> bool:
    """All entries within tol under rel_error."""
    return bool(np.all(rel_error(reference, candidate) <= tol))


def close(reference: Any, candidate: Any) -> bool:
    """Whether compare() would call the candidate ok (its dtype's tolerance included)."""
    return compare(reference, candidate).verdict == "ok"


def _snap(c: float, tol: float) -> tuple[float, bool]:
    """Round c to a simple number (k, k/2 or 1/k) within tol; report whether it was simple."""
    for denominator in (1.0, 2.0):
        r = round(c * denominator)
        if r != 0 and abs(c * denominator - r) <= tol * abs(c * denominator):
            return r / denominator, True
    inv = 1.0 / c
    r = round(inv)
    if r != 0 and abs(inv - r) <= tol * abs(inv):
        return 1.0 / r, True
    return c, False


def _significant(basis: np.ndarray) -> int:
    """Number of entries above the floor, i.e. that actually pin a ratio down."""
    return int(np.count_nonzero(np.abs(basis) > _floor(basis)))


def _fit_factor(
    basis: np.ndarray, target: np.ndarray, tol: float, independent: int | None = None
) -> float | None:
    """Constant c with target ~ c * basis (least squares, then verified entrywise), else None.

    With fewer than two independent significant entries any number is "a constant times" the
    basis, so then only simple factors (k, 1/k, k/2) are accepted. c ~ 0 is not a factor.
    """
    b = np.asarray(basis, dtype=np.float64).ravel()
    t = np.asarray(target, dtype=np.float64).ravel()
    bb = float(b @ b)
    if bb == 0.0:
        return None
    c = float(b @ t) / bb
    if not math.isfinite(c) or abs(c) <= tol or not _close(c * b, t, tol):
        return None
    c, simple = _snap(c, tol)
    count = _significant(b) if independent is None else independent
    if count < 2 and not simple:
        return None
    return c


def _hint(c: float) -> str:
    """A guess at where a constant factor comes from."""
    a = abs(c)
    if a in (2.0, 0.5):
        return " (a factor 2 from a square, or a 1/2 in the loss?)"
    if a >= 10 and np.log10(a) == round(np.log10(a)):
        return " (a missing 1/N, or a decimal place off: 0.001 for 0.0001?)"
    if a > 2 and a == round(a):
        return " (a missing 1/N?)"
    if a > 1 and 2 * a == round(2 * a):
        return " (a missing 2/N?)"
    if a < 0.5 and 1 / a == round(1 / a):
        return " (an extra 1/N?)"
    return ""


def _fmt(c: float) -> str:
    return f"{c:.6g}"


def _scale_text(c: float | None) -> str:
    """Suffix describing an extra constant on top of another diagnosis."""
    if c is None or c == 1.0:
        return ""
    return f", scaled by {_fmt(c)}"


def _stats(ref: np.ndarray, cand: np.ndarray) -> tuple[float, float]:
    """(max abs error, max rel error) of aligned arrays; 0 for empty arrays."""
    if ref.size == 0:
        return 0.0, 0.0
    return float(np.max(np.abs(cand - ref))), float(np.max(rel_error(ref, cand)))


def _result(
    verdict: str,
    diagnosis: str | None,
    message: str,
    tol: float,
    *,
    factor: float | None = None,
    errors: tuple[float, float] = (math.nan, math.nan),
    entries: tuple[tuple[int, ...], ...] = (),
) -> Comparison:
    return Comparison(
        verdict=verdict,
        diagnosis=diagnosis,
        factor=factor,
        max_abs_error=errors[0],
        max_rel_error=errors[1],
        entries=entries,
        tolerance=tol,
        message=message,
    )


def _indices(mask: np.ndarray) -> tuple[tuple[int, ...], ...]:
    """Indices where mask is True, as tuples of python ints (0-d gives ((),))."""
    return tuple(tuple(int(i) for i in idx) for idx in np.argwhere(mask))


def _tolerance(cand: np.ndarray, rtol: float | None) -> tuple[float, str, bool]:
    """Tolerance, a note for the message, and whether it is measured at the gradient's scale
    (a float16/float32 candidate: its precision is a few ulps of the largest entry)."""
    if rtol is not None:
        return float(rtol), "", False
    if cand.dtype in (np.float16, np.float32):
        tol = LOWP_ULPS * float(np.finfo(cand.dtype).eps)
        return tol, (f" [{cand.dtype} candidate, low precision: rtol {tol:.2g} of the "
                     "gradient's scale]"), True
    return RTOL, "", False


def _numeric(cand: np.ndarray) -> np.ndarray | None:
    """float64 copy of a numeric candidate; None for strings, objects, complex with imag."""
    if cand.dtype.kind in "biuf":
        return cand.astype(np.float64)
    if cand.dtype.kind == "c":
        return cand.real.astype(np.float64) if not np.any(cand.imag) else None
    if cand.dtype.kind == "O":
        try:
            return cand.astype(np.float64)
        except (TypeError, ValueError):
            return None
    return None


def _scaled_result(
    c: float, tol: float, errors: tuple[float, float], entries: tuple, shape_note: str
) -> Comparison:
    """Diagnosis "sign" for c = -1, else "scaled" with a hint about the constant."""
    if c == -1.0:
        message = "sign: candidate is -1 * reference" + shape_note
        return _result("wrong", "sign", message, tol, factor=-1.0, errors=errors, entries=entries)
    flipped = " (sign flipped too)" if c < 0 else ""
    message = f"scaled by {_fmt(c)}{flipped}{_hint(c)}" + shape_note
    return _result("wrong", "scaled", message, tol, factor=c, errors=errors, entries=entries)


def _aligned(a: np.ndarray, b: np.ndarray) -> bool:
    """Same values could be compared position by position (equal sizes, same squeezed shape)."""
    return a.size == b.size and (a.size == 1 or np.squeeze(a).shape == np.squeeze(b).shape)


def _reductions(ref: np.ndarray) -> Iterator[tuple[str, np.ndarray]]:
    """(description, ref summed) over each non-trivial axis, then over all axes if different."""
    axes = [a for a in range(ref.ndim) if ref.shape[a] > 1]
    for axis in axes:
        yield f"axis {axis}", ref.sum(axis=axis, keepdims=True)
    if len(axes) > 1:
        yield "all axes", ref.sum(keepdims=True)


def _compare_shapes(ref: np.ndarray, cand: np.ndarray, tol: float, note: str) -> Comparison:
    """Diagnose a candidate whose shape differs from the reference's."""
    shapes = f"expected {ref.shape}, got {cand.shape}"
    if ref.ndim == 2 and cand.shape == ref.T.shape:
        c = _fit_factor(ref.T, cand, tol)
        if c is not None:
            message = f"transposed: candidate is reference.T{_scale_text(c)}; {shapes}" + note
            factor = None if c == 1.0 else c
            return _result("wrong", "transposed", message, tol, factor=factor)
    if cand.size < ref.size:
        for where, reduced in _reductions(ref):
            if not _aligned(reduced, cand):
                continue
            c = _fit_factor(reduced, cand, tol)
            if c is not None:
                message = (
                    f"collapsed: candidate is reference summed over {where}{_scale_text(c)}; "
                    f"{shapes}" + note
                )
                return _result("wrong", "collapsed", message, tol, factor=None if c == 1 else c)
    if cand.size > ref.size:
        for axis in range(cand.ndim):
            summed = cand.sum(axis=axis)
            if cand.shape[axis] < 2 or not _aligned(summed, ref):
                continue
            c = _fit_factor(ref, summed, tol)
            if c is not None:
                message = (
                    f"missing-sum: candidate summed over axis {axis} equals reference"
                    f"{_scale_text(c)}; {shapes}" + note
                )
                return _result("wrong", "missing-sum", message, tol, factor=None if c == 1 else c)
    if cand.size == ref.size:
        r, c_flat = ref.ravel(), cand.ravel()
        errors = _stats(r, c_flat)
        c = _fit_factor(r, c_flat, tol)
        if c == 1.0:
            return _result(
                "wrong", "shape", f"shape: {shapes} (values agree)" + note, tol, errors=errors
            )
        if c is not None:
            return _scaled_result(c, tol, errors, (), f"; shape: {shapes}" + note)
        return _result(
            "wrong", "shape", f"shape: {shapes} (values differ too)" + note, tol, errors=errors
        )
    return _result("wrong", "shape", f"shape: {shapes}" + note, tol)


def _collapsed_broadcast(ref: np.ndarray, cand: np.ndarray, tol: float) -> Comparison | None:
    """Same shape, but every entry along an axis equals that axis' sum (summed then broadcast)."""
    for where, reduced in _reductions(ref):
        basis = np.broadcast_to(reduced, ref.shape)
        c = _fit_factor(basis, cand, tol, independent=_significant(reduced))
        if c is not None:
            message = (
                f"collapsed: every entry is the reference summed over {where}{_scale_text(c)}, "
                "broadcast back"
            )
            return _result("wrong", "collapsed", message, tol, factor=None if c == 1 else c)
    return None


def _within_subgradient(
    ref: np.ndarray,
    cand: np.ndarray,
    bad: np.ndarray,
    subgradient: tuple[Any, Any],
    tol: float,
) -> bool:
    """All wrong entries sit at kinks and inside [min(lo,hi), max(lo,hi)] (+ tolerance)."""
    lo = np.broadcast_to(np.asarray(subgradient[0], dtype=np.float64), ref.shape)
    hi = np.broadcast_to(np.asarray(subgradient[1], dtype=np.float64), ref.shape)
    lower, upper = np.minimum(lo, hi), np.maximum(lo, hi)
    scale = float(np.max(np.abs(ref), initial=0.0))
    kinks = np.abs(hi - lo) > KINK_TOL * (scale if scale > 0 else 1.0)
    slack = tol * np.maximum(np.maximum(np.abs(lower), np.abs(upper)), _floor(ref))
    inside = (cand >= lower - slack) & (cand <= upper + slack)
    return bool(np.all(kinks[bad] & inside[bad]))


def _compare_same(
    ref: np.ndarray,
    cand: np.ndarray,
    tol: float,
    note: str,
    subgradient: tuple[Any, Any] | None,
    at_scale: bool = False,
    atol: float = 0.0,
) -> Comparison:
    """Diagnose a candidate with the reference's shape."""
    errors = _stats(ref, cand)
    floor = float(np.max(np.abs(ref), initial=0.0)) if at_scale else None
    bad = (rel_error(ref, cand, floor or None) > tol) & (np.abs(cand - ref) > atol)
    if not np.any(bad):
        message = f"ok: max rel error {errors[1]:.2g} <= rtol {tol:g}" + note
        return _result("ok", None, message, tol, errors=errors)
    entries = _indices(bad)
    # First: at a kink any subgradient is right, even one that looks like a multiple of the
    # reference (relu'(0) taken as 1 against the symmetric 0.5 is not "scaled by 2").
    if subgradient is not None and _within_subgradient(ref, cand, bad, subgradient, tol):
        message = (
            f"nondifferentiable: candidate differs only at kinks {list(entries)}, "
            "within the subgradient" + note
        )
        return _result(
            "nondifferentiable", "nondifferentiable", message, tol, errors=errors, entries=entries
        )
    c = _fit_factor(ref, cand, tol)
    if c is not None:
        return _scaled_result(c, tol, errors, entries, note)
    if ref.ndim == 2 and ref.shape[0] == ref.shape[1]:
        c = _fit_factor(ref.T, cand, tol)
        if c is not None:
            message = f"transposed: candidate is reference.T{_scale_text(c)}" + note
            factor = None if c == 1.0 else c
            return _result(
                "wrong", "transposed", message, tol, factor=factor, errors=errors, entries=entries
            )
    collapsed = _collapsed_broadcast(ref, cand, tol)
    if collapsed is not None:
        return _result(
            "wrong",
            "collapsed",
            collapsed.message + note,
            tol,
            factor=collapsed.factor,
            errors=errors,
            entries=entries,
        )
    worst = tuple(int(i) for i in np.unravel_index(np.argmax(rel_error(ref, cand)), ref.shape))
    zeros = " (candidate is all zeros)" if not np.any(cand) else ""
    message = (
        f"entries: {len(entries)} of {ref.size} wrong, worst at {worst} "
        f"(rel error {errors[1]:.3g}){zeros}{small_difference(ref, cand, bad)}" + note
    )
    return _result("wrong", "entries", message, tol, errors=errors, entries=entries)


def compare(
    reference: Any,
    candidate: Any,
    *,
    subgradient: tuple[Any, Any] | None = None,
    rtol: float | None = None,
    atol: float = 0.0,
) -> Comparison:
    """Compare candidate with reference (trusted, finite) and diagnose the difference.

    Shapes differ: transposed, collapsed (reference summed over an axis), missing-sum (candidate
    keeps an axis the reference sums over), then same size ("scaled"/"sign" with the shape in the
    message, or "shape"), else "shape". Same shape: ok, scaled/sign, transposed, collapsed
    (summed then broadcast back), nondifferentiable (wrong only at kinks, inside the
    subgradient interval (lo, hi)), else entries. Non-numeric or non-finite candidates are
    "entries". rtol defaults to RTOL; a float16/float32 candidate is judged at its precision
    relative to the gradient's scale (FLOAT32_RTOL for float32) and flagged low precision.
    Errors are relative, so scaling both by one factor changes nothing. An entry within
    ``atol`` of the reference is right too (for references whose error is normwise, as finite
    differences').
    """
    ref = np.asarray(reference, dtype=np.float64)
    if not np.all(np.isfinite(ref)):
        raise ValueError("reference contains non-finite values")
    try:
        raw = np.asarray(candidate)
    except ValueError:
        return _result(
            "wrong",
            "entries",
            "entries: candidate is not a rectangular array",
            float(RTOL if rtol is None else rtol),
        )
    tol, note, at_scale = _tolerance(raw, rtol)
    cand = _numeric(raw)
    if cand is None:
        message = f"entries: candidate is not a numeric array (dtype {raw.dtype})"
        return _result("wrong", "entries", message, tol)
    finite = np.isfinite(cand)
    if not np.all(finite):
        where = _indices(~finite)
        message = f"entries: candidate has {len(where)} non-finite value(s) (nan/inf)" + note
        return _result("wrong", "entries", message, tol, errors=(math.inf, math.inf), entries=where)
    if cand.shape != ref.shape:
        return _compare_shapes(ref, cand, tol, note)
    return _compare_same(ref, cand, tol, note, subgradient, at_scale, atol)


def small_difference(ref: np.ndarray, cand: np.ndarray, bad: np.ndarray) -> str:
    """'; differs by 3e-4 relative: consistent with an epsilon or clipping' when every wrong
    entry is off by under SMALL_DIFFERENCE relative with the reference's sign, else ''."""
    r, c = ref[bad], cand[bad]
    if r.size == 0 or not np.all(np.sign(r) == np.sign(c)):
        return ""
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.abs(c - r) / np.abs(r)
    worst = float(np.max(rel))
    if not worst < SMALL_DIFFERENCE:
        return ""
    return f"; differs by {worst:.2g} relative: consistent with an epsilon or clipping"


def batch_hint(c: float, n: int) -> str | None:
    """Where a constant factor comes from, when it is a simple function of the batch size n:
    4 at n = 8 is a missing 2/n (the documents' slip), not a missing 1/n."""
    if n < 2 or c is None:
        return None
    a = abs(c)
    for value, text in ((n, f"a missing 1/N, N = {n}"), (n / 2, f"a missing 2/N, N = {n}"),
                        (2 * n, f"a missing 1/N and a factor 2, N = {n}"),
                        (1 / n, f"an extra 1/N, N = {n}"), (2 / n, f"an extra 2/N, N = {n}"),
                        (1 / (2 * n), f"an extra 1/(2N), N = {n}")):
        if value != 1 and math.isclose(a, value, rel_tol=1e-9):
            return f" ({text}?)"
    return None


def batch_message(message: str, factor: float | None, n: int | None) -> str:
    """A diagnosis message with its scale hint told the actual batch size (batch_hint)."""
    if n is None or factor is None:
        return message
    hint, old = batch_hint(factor, n), _hint(factor)
    if hint is None or not old or old not in message:
        return message
    return message.replace(old, hint, 1)
