from __future__ import annotations

import numpy as np
import pytest
from derive.numeric import compare as cmp
from derive.numeric.compare import DIAGNOSES, Comparison, compare, rel_error
from derive.numeric.fd import one_sided_gradients

RNG = np.random.default_rng(7)
REF = RNG.standard_normal((3, 2))
SQUARE = RNG.standard_normal((3, 3))
BATCH = RNG.standard_normal((5, 4))  # per-example bias gradients; the reference is their sum


def test_vocabulary_and_constants() -> None:
    assert DIAGNOSES == (
        "scaled",
        "sign",
        "transposed",
        "shape",
        "collapsed",
        "missing-sum",
        "entries",
        "nondifferentiable",
    )
    assert cmp.RTOL == 1e-6
    # issue 13: float32 is judged at its precision, so a 0.1% error is caught
    assert cmp.FLOAT32_RTOL == 128 * np.finfo(np.float32).eps < 1e-4
    assert cmp.ATOL_FLOOR == 1e-8


def test_ok() -> None:
    result = compare(REF, REF * (1 + 1e-9))
    assert isinstance(result, Comparison)
    assert result.verdict == "ok" and result.ok and result.diagnosis is None
    assert result.factor is None and result.entries == ()
    assert result.tolerance == cmp.RTOL
    assert result.max_rel_error < 1e-8


def test_rel_error_metric() -> None:
    assert rel_error(1.0, 10.0) == pytest.approx(0.9)
    assert rel_error(10.0, 1.0) == pytest.approx(0.9)
    assert rel_error(0.0, 0.0) == 0.0
    # 1e-17 noise against an exact zero is negligible, not a 100% error
    assert rel_error([1.0, 0.0], [1.0, 1e-17])[1] < 1e-8


def test_scaled() -> None:
    result = compare(REF, 8 * REF)
    assert (result.verdict, result.diagnosis, result.factor) == ("wrong", "scaled", 8.0)
    assert result.message.startswith("scaled by 8")
    assert len(result.entries) == REF.size
    quarter = compare(REF, REF / 4)
    assert (quarter.diagnosis, quarter.factor) == ("scaled", 0.25)
    assert compare(REF, 2.5 * REF).message == "scaled by 2.5 (a missing 2/N?)"
    odd = compare(REF, 1.37 * REF)
    assert odd.diagnosis == "scaled" and odd.factor == pytest.approx(1.37)


def test_scaled_with_shape_in_message() -> None:
    result = compare(np.array([[0.5]]), np.array([4.0]))
    assert (result.diagnosis, result.factor) == ("scaled", 8.0)
    assert "expected (1, 1), got (1,)" in result.message


def test_sign() -> None:
    result = compare(REF, -REF)
    assert (result.verdict, result.diagnosis, result.factor) == ("wrong", "sign", -1.0)


def test_transposed_square_and_rectangular() -> None:
    square = compare(SQUARE, SQUARE.T)
    assert square.diagnosis == "transposed" and square.factor is None
    rect = compare(REF, REF.T)
    assert rect.diagnosis == "transposed"
    assert "reference.T" in rect.message


def test_shape() -> None:
    same_values = compare(np.array([0.3]), np.array([[0.3]]))
    assert (same_values.verdict, same_values.diagnosis) == ("wrong", "shape")
    other = compare(REF, RNG.standard_normal(4))
    assert other.diagnosis == "shape"
    assert other.message == "shape: expected (3, 2), got (4,)"


def test_collapsed() -> None:
    row = RNG.standard_normal((1, 13))
    assert compare(row, row.sum()).diagnosis == "collapsed"
    assert compare(row.ravel(), np.array(row.sum())).diagnosis == "collapsed"
    per_row = compare(REF, REF.sum(axis=1))
    assert per_row.diagnosis == "collapsed" and "axis 1" in per_row.message
    # summed over an axis, then broadcast back to the right shape
    broadcast = np.repeat(REF.sum(axis=1, keepdims=True), 2, axis=1)
    result = compare(REF, broadcast)
    assert (result.diagnosis, result.factor) == ("collapsed", None)


def test_missing_sum() -> None:
    for reference in (BATCH.sum(axis=0, keepdims=True), BATCH.sum(axis=0)):
        result = compare(reference, BATCH)
        assert (result.verdict, result.diagnosis) == ("wrong", "missing-sum")
    column = compare(np.array([[BATCH[:, 0].sum()]]), BATCH[:, :1])
    assert column.diagnosis == "missing-sum"


def test_entries_lists_exact_indices() -> None:
    reference = RNG.standard_normal((3, 4))
    candidate = reference.copy()
    candidate[1, 2] += 0.5
    candidate[2, 0] *= 1.001
    result = compare(reference, candidate)
    assert (result.verdict, result.diagnosis) == ("wrong", "entries")
    assert result.entries == ((1, 2), (2, 0))
    assert "2 of 12" in result.message


def _relu_sum(x: np.ndarray) -> float:
    return float(np.sum(np.maximum(x, 0)))


def test_nondifferentiable_with_subgradient() -> None:
    x = np.array([-1.0, 0.0, 2.0, 0.0])
    reference = (x > 0).astype(float)  # picks 0 at the kinks
    candidate = (x >= 0).astype(float)  # picks 1 at the kinks: also a valid subgradient
    sub = one_sided_gradients(_relu_sum, {"x": x}, "x")
    result = compare(reference, candidate, subgradient=sub)
    assert (result.verdict, result.diagnosis) == ("nondifferentiable", "nondifferentiable")
    assert result.ok and result.entries == ((1,), (3,))
    assert compare(reference, candidate).diagnosis == "entries"  # no interval given
    outside = candidate.copy()
    outside[1] = 2.0
    assert compare(reference, outside, subgradient=sub).diagnosis == "entries"
    wrong_elsewhere = candidate.copy()
    wrong_elsewhere[2] = 3.0
    assert compare(reference, wrong_elsewhere, subgradient=sub).diagnosis == "entries"


def test_non_finite_candidate() -> None:
    candidate = REF.copy()
    candidate[0, 1] = np.nan
    candidate[2, 0] = np.inf
    result = compare(REF, candidate)
    assert (result.verdict, result.diagnosis) == ("wrong", "entries")
    assert result.entries == ((0, 1), (2, 0))
    assert "non-finite" in result.message


def test_tiny_gradients() -> None:
    tiny = 1e-12 * RNG.standard_normal((4, 3))
    assert compare(tiny, tiny * (1 + 1e-9)).ok
    with_zero = np.array([1e-12, 0.0, -3e-12])
    # noise at an exact zero, 1e-14 of the gradient's scale, passes at every scale
    assert compare(with_zero, with_zero + np.array([0.0, 3e-26, 0.0])).ok
    assert compare(with_zero * 1e12, with_zero * 1e12 + np.array([0.0, 3e-14, 0.0])).ok
    # 1e-8 of the scale does not, at either scale (it did at 1e-12 only: not scale-free)
    assert not compare(with_zero, with_zero + np.array([0.0, 3e-20, 0.0])).ok
    assert not compare(with_zero * 1e12, with_zero * 1e12 + np.array([0.0, 3e-8, 0.0])).ok
    doubled = compare(tiny, 2 * tiny)  # still caught, not hidden by the floor
    assert (doubled.diagnosis, doubled.factor) == ("scaled", 2.0)


def test_float32_candidate_tolerance() -> None:
    reference = RNG.standard_normal((6, 5))
    result = compare(reference, reference.astype(np.float32))
    assert result.ok and result.tolerance == cmp.FLOAT32_RTOL
    assert "float32" in result.message
    nudged = reference * (1 + 5e-6)
    assert compare(reference, nudged.astype(np.float32)).ok
    assert compare(reference, nudged).diagnosis == "scaled"  # float64: 5e-6 is a real error
    assert not compare(reference, (reference * (1 + 1e-3)).astype(np.float32)).ok
    assert not compare(reference, nudged.astype(np.float32) + np.eye(6, 5) * 0.01).ok
    scaled = compare(reference, (3 * reference).astype(np.float32))
    assert (scaled.diagnosis, scaled.factor) == ("scaled", 3.0)
    assert compare(reference, reference.astype(np.float32), rtol=1e-9).tolerance == 1e-9


def test_candidate_forms() -> None:
    assert compare(np.array(2.0), 2.0).ok
    assert compare(np.array([1.0, 2.0]), [1, 2]).ok
    assert compare(np.array([1.0, 2.0]), ["a", "b"]).diagnosis == "entries"
    assert compare(np.array([1.0, 2.0]), [[1.0], [2.0, 3.0]]).diagnosis == "entries"


def test_single_value_only_simple_factors_count_as_scaled() -> None:
    assert compare(np.array(0.3), 0.9).diagnosis == "scaled"
    assert compare(np.array(0.3), 0.7123).diagnosis == "entries"


def test_every_diagnosis_is_reachable() -> None:
    kink = (np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 2.0]))  # kink at entry 0
    seen = {
        compare(REF, 2 * REF).diagnosis,
        compare(REF, -REF).diagnosis,
        compare(SQUARE, SQUARE.T).diagnosis,
        compare(REF, np.ones(7)).diagnosis,
        compare(REF, REF.sum()).diagnosis,
        compare(BATCH.sum(axis=0), BATCH).diagnosis,
        compare(REF, REF + np.eye(3, 2)).diagnosis,
        compare(kink[0], [1.0, 1.0, 2.0], subgradient=kink).diagnosis,
    }
    assert seen == set(DIAGNOSES)


def test_reference_must_be_finite() -> None:
    with pytest.raises(ValueError):
        compare(np.array([np.nan]), [1.0])


def test_scale_hints_know_the_batch_size() -> None:
    """Issue 14: 4 at N = 8 is the documents' missing 2/N, not a missing 1/N."""
    from derive.numeric.compare import batch_hint, batch_message

    assert batch_hint(4.0, 8) == " (a missing 2/N, N = 8?)"
    assert batch_hint(8.0, 8) == " (a missing 1/N, N = 8?)"
    assert batch_hint(0.25, 4) == " (an extra 1/N, N = 4?)"
    assert batch_hint(-16.0, 8) == " (a missing 1/N and a factor 2, N = 8?)"
    assert batch_hint(3.0, 8) is None
    assert batch_message("scaled by 4 (a missing 1/N?)", 4.0, 8) == \
        "scaled by 4 (a missing 2/N, N = 8?)"
    assert batch_message("scaled by 3 (a missing 1/N?)", 3.0, 8) == "scaled by 3 (a missing 1/N?)"
