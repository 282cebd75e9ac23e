"""Refined finite differences (numeric.refine) and kink judgement (numeric.kinks), issue 13."""

from __future__ import annotations

import numpy as np
import pytest
from derive.numeric import kinks as K
from derive.numeric import refine as R
from derive.numeric.compare import close, compare
from derive.numeric.fd import FD_REL_STEP


def test_refine_is_accurate_near_a_singularity_where_the_usual_step_is_not() -> None:
    x = np.array([1e-3, 2e-3, -3e-3, 5.0])
    exact = -1 / x**2
    plain = R.central(lambda v: 1 / v, x, R.usual_step(x, FD_REL_STEP))
    assert np.max(np.abs(plain / exact - 1)) > 1e-6  # the usual step: 4e-5 off at 1e-3
    r = R.refine(lambda v: 1 / v, x, FD_REL_STEP, 1e3)
    assert np.max(np.abs(r.value / exact - 1)) < 1e-9
    assert np.all(np.abs(r.value - exact) <= r.error)  # the error estimate bounds the error
    off = exact * np.array([1.005, 1.0, 1.0, 1.0])  # one entry 0.5% off
    np.testing.assert_array_equal(R.agrees(off, r, 1e-6), [False, True, True, True])
    assert np.all(R.decisive(r, float(np.max(np.abs(exact)))))


@pytest.mark.parametrize("fn, d", [(np.log, lambda x: 1 / x),
                                   (np.sqrt, lambda x: 0.5 / np.sqrt(x))])
def test_refine_keeps_the_step_inside_the_domain(fn, d) -> None:
    x = np.array([1e-7, 3e-7, 2.0])  # the usual step 6e-6 crosses 0: log(-6e-6) is nan
    with np.errstate(all="ignore"):
        assert not np.all(np.isfinite(R.central(fn, x, R.usual_step(x, FD_REL_STEP))))
    r = R.refine(fn, x, FD_REL_STEP, float(np.max(np.abs(fn(x)))))
    assert np.all(np.isfinite(r.value))
    assert np.max(np.abs(r.value / d(x) - 1)) < 1e-6
    assert np.all(R.agrees(d(x), r, 1e-6))


def test_refine_of_a_deep_composition() -> None:
    rng = np.random.default_rng(3)
    ws = rng.standard_normal(12) * 2

    def f(v: np.ndarray) -> np.ndarray:
        for w in ws:
            v = np.tanh(w * v + 0.3)
        return v

    def df(v: np.ndarray) -> np.ndarray:
        g = np.ones_like(v)
        for w in ws:
            v = np.tanh(w * v + 0.3)
            g = g * w * (1 - v**2)
        return g

    x = rng.standard_normal(50)
    r = R.refine(f, x, FD_REL_STEP, 1.0)
    assert np.all(R.agrees(df(x), r, 1e-6))
    assert not np.any(R.agrees(df(x) * 1.01 + 1e-3, r, 1e-6))


def test_refine_undecided_when_round_off_swamps_the_slope() -> None:
    # 1e6 + 1e-3 sin(x): each evaluation loses ~1e-10, a slope of 1e-3 is barely resolved
    x = np.linspace(-2, 2, 5)
    r = R.refine(lambda v: 1e6 + 1e-3 * np.sin(v), x, FD_REL_STEP, 1e6)
    assert np.all(np.abs(r.value - 1e-3 * np.cos(x)) <= R.AGREE_MARGIN * r.error)
    assert not np.any(R.decisive(r, 1e-3))  # so the caller must not let it rescue anything


def _relu_sum(v: np.ndarray) -> np.ndarray:
    return np.maximum(v, 0.0) + 0.5 * v**2


@pytest.mark.parametrize("subgrad", [0.0, 0.5, 1.0])
def test_any_relu_convention_is_a_subgradient(subgrad: float) -> None:
    x = np.array([0.0, 1.0, -1.0])
    # each entry its own term: f with entry i at v_i, minus f at x, so f0 = 0
    br = K.bracket(lambda v: _relu_sum(v) - _relu_sum(x), x, 0.0, R.usual_step(x, FD_REL_STEP))
    np.testing.assert_array_equal(br.kinks, [True, False, False])
    cand = np.array([subgrad, 2.0, -1.0])
    assert K.subgradient(cand, br)[0]
    assert np.all(br.inside(cand))
    assert not br.inside(np.array([1.2, 2.0, -1.0]))[0]  # outside [0, 1]: not a subgradient
    assert not br.inside(np.array([-0.1, 2.0, -1.0]))[0]


@pytest.mark.parametrize("scale", [1e-30, 1e-14, 1.0, 1e14, 1e30])
def test_kink_test_is_tied_to_the_differences_error_not_to_a_tolerance(scale: float) -> None:
    # |x| with curvature: one-sided errors are O(h) ~ 1e-5 relative, far above rtol 1e-6
    x = np.array([0.0, 0.3])

    def fe(v: np.ndarray) -> np.ndarray:
        return scale * (np.abs(v) + 40 * v**2 - (np.abs(x) + 40 * x**2))

    br = K.bracket(fe, x, 0.0, R.usual_step(x, FD_REL_STEP))
    np.testing.assert_array_equal(br.kinks, [True, False])
    assert np.all(br.inside(scale * np.array([1.0, 1 + 24.0])))  # right end and smooth slope
    assert np.all(br.inside(scale * np.array([-1.0, 25.0])))
    assert not br.inside(scale * np.array([1.01, 25.0]))[0]


def test_convention_named_and_dtype_aware_closeness() -> None:
    refs = {name: np.array([1.0, h]) for h, name in K.CONVENTIONS}
    assert K.match_convention(np.array([1.0, 1.0]), refs, close) == K.CONVENTIONS[1][1]
    assert K.match_convention(np.array([1.0, 0.5]), refs, close) == "relu'(0) = 1/2"
    assert K.match_convention(np.array([1.0, 0.7]), refs, close) is None
    nan = {"x": np.array([np.nan, 1.0])}
    assert K.match_convention(np.array([1.0, 1.0]), nan, close) is None


def test_low_precision_candidates_judged_at_their_precision() -> None:
    rng = np.random.default_rng(0)
    ref = rng.standard_normal((8, 5))
    f16 = compare(ref, ref.astype(np.float16))
    assert f16.verdict == "ok" and "low precision" in f16.message
    f32 = compare(ref, ref.astype(np.float32))
    assert f32.verdict == "ok" and "low precision" in f32.message
    off = ref.copy()
    off[2, 3] *= 1.001  # 0.1% in one entry of a float32 backward: caught
    bad = compare(ref, off.astype(np.float32))
    assert bad.verdict == "wrong" and (2, 3) in bad.entries
    # a small entry is judged at the gradient's scale: float32 rounding of it is fine
    ref[0, 0] = 1e-9
    assert compare(ref, ref.astype(np.float32)).ok


@pytest.mark.parametrize("s", [1e-30, 1e-14, 1.0, 1e30])
def test_compare_is_scale_free(s: float) -> None:
    rng = np.random.default_rng(1)
    ref = rng.standard_normal((4, 3))
    cases = [ref, 2 * ref, -ref, 0 * ref, ref * (1 + 1e-4)]
    base = [(compare(ref, c).verdict, compare(ref, c).diagnosis) for c in cases]
    assert [(compare(s * ref, s * c).verdict, compare(s * ref, s * c).diagnosis)
            for c in cases] == base


def test_small_difference_explained() -> None:
    p = np.random.default_rng(2).random((4, 3)) * 0.01 + 1e-5
    ref = -1 / (p + 1e-8)  # the forward has log(p + 1e-8)
    c = compare(ref, -1 / p)
    assert c.verdict == "wrong" and c.diagnosis == "entries"
    assert "relative: consistent with an epsilon or clipping" in c.message
    far = compare(ref, -1 / p * np.where(np.arange(12).reshape(4, 3) == 3, 3.0, 1.0))
    assert "epsilon" not in far.message  # a factor 3 in one entry is no epsilon
