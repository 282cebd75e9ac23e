from __future__ import annotations

import numpy as np
import pytest
from derive.numeric import fd
from derive.numeric.compare import compare


def _f(A: np.ndarray, b: np.ndarray) -> float:
    return float(np.sum(np.sin(A @ b)) + 0.5 * np.sum(A**2))


def _grads(A: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    c = np.cos(A @ b)
    return {"A": np.outer(c, b) + A, "b": A.T @ c}


@pytest.fixture
def point() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(3)
    return {"A": rng.standard_normal((4, 3)), "b": rng.standard_normal(3)}


def test_step_constant() -> None:
    assert fd.FD_REL_STEP == pytest.approx(6.055454e-6, rel=1e-6)


def test_central_gradient_accuracy(point: dict[str, np.ndarray]) -> None:
    exact = _grads(**point)
    for name in ("A", "b"):
        approx = fd.central_gradient(_f, point, name)
        assert approx.shape == point[name].shape and approx.dtype == np.float64
        np.testing.assert_allclose(approx, exact[name], rtol=1e-8, atol=1e-9)
        assert compare(exact[name], approx).ok


def test_central_gradient_large_entries_are_scaled() -> None:
    # a fixed absolute step (1e-6) would lose ~10 digits at x = 1e6
    x = np.array([1e6, -3e5])
    got = fd.central_gradient(lambda x: np.sum(x**3), {"x": x}, "x")
    np.testing.assert_allclose(got, 3 * x**2, rtol=1e-8)


def test_central_gradient_zero_dim_and_no_mutation() -> None:
    x = np.array(2)  # integer 0-d input
    y = np.array([1.0, 2.0])
    before = y.copy()
    g = fd.central_gradient(lambda x, y: float(x**3 * y.sum()), {"x": x, "y": y}, "x")
    assert g.shape == () and g.dtype == np.float64
    assert g == pytest.approx(36.0, rel=1e-9)
    gy = fd.central_gradient(lambda x, y: float(x**3 * y.sum()), {"x": x, "y": y}, "y")
    np.testing.assert_array_equal(y, before)
    np.testing.assert_allclose(gy, [8.0, 8.0], rtol=1e-9)


def test_non_scalar_function_is_rejected() -> None:
    with pytest.raises(ValueError, match="scalar"):
        fd.central_gradient(lambda x: x, {"x": np.ones(2)}, "x")


def test_one_sided_and_kinks() -> None:
    x = np.array([-1.0, 0.0, 2.0])
    left, right = fd.one_sided_gradients(lambda x: np.sum(np.maximum(x, 0)), {"x": x}, "x")
    np.testing.assert_allclose(left, [0.0, 0.0, 1.0], atol=1e-9)
    np.testing.assert_allclose(right, [0.0, 1.0, 1.0], atol=1e-9)
    np.testing.assert_array_equal(fd.kink_mask(left, right, scale=1.0), [False, True, False])


def test_smooth_function_has_no_kinks(point: dict[str, np.ndarray]) -> None:
    left, right = fd.one_sided_gradients(_f, point, "A")
    assert not fd.kink_mask(left, right, scale=np.max(np.abs(left))).any()


def test_directional_derivative(point: dict[str, np.ndarray]) -> None:
    rng = np.random.default_rng(4)
    v = {"A": rng.standard_normal((4, 3)), "b": rng.standard_normal(3)}
    g = _grads(**point)
    expected = sum(float(np.sum(g[k] * v[k])) for k in v)
    assert fd.directional_derivative(_f, point, v) == pytest.approx(expected, rel=1e-8)
    only_b = fd.directional_derivative(_f, point, {"b": v["b"]})
    assert only_b == pytest.approx(float(g["b"] @ v["b"]), rel=1e-8)


def test_taylor_slope_right_vs_wrong(point: dict[str, np.ndarray]) -> None:
    g = _grads(**point)
    slope, hs, rem = fd.taylor_remainder_slope(_f, point, g)
    assert slope == pytest.approx(2.0, abs=0.2)
    assert hs.shape == rem.shape == (11,)
    wrong = {"A": g["A"] * 1.5, "b": g["b"]}
    slope_wrong, _, _ = fd.taylor_remainder_slope(_f, point, wrong, seed=1)
    assert slope_wrong == pytest.approx(1.0, abs=0.2)


def test_taylor_slope_linear_function_is_nan() -> None:
    w = np.array([1.0, -2.0, 0.5])
    slope, _, rem = fd.taylor_remainder_slope(
        lambda x: float(w @ x), {"x": np.array([0.3, 0.1, 2.0])}, {"x": w}
    )
    assert np.isnan(slope)
    assert np.all(rem < 1e-12)


def test_error_vs_step_shows_truncation_and_roundoff() -> None:
    steps, errors = fd.error_vs_step(np.sin, 1.0, np.cos(1.0))
    assert steps.shape == errors.shape == (40,)
    best = steps[np.argmin(errors)]
    assert 1e-7 < best < 1e-4  # near FD_REL_STEP ~ 6e-6
    assert errors.min() < 1e-10
    assert errors[0] > 1e-5 and errors[-1] > 1e-4  # round-off left, truncation right


# ---------------------------------------------------------------- Differences: one module


def _on_dict(f):
    return lambda arrays: f(**arrays)


def test_differences_central_and_directional_match_the_gradient(point) -> None:
    d = fd.Differences(_on_dict(_f))
    exact = _grads(**point)
    every = list(np.ndindex(*point["A"].shape))
    got = d.central(point, "A", every).reshape(point["A"].shape)
    assert compare(exact["A"], got, rtol=1e-8).ok
    assert np.array_equal(got, fd.central_gradient(_f, point, "A"))  # one rule, one result
    rng = np.random.default_rng(0)
    v = {k: rng.standard_normal(np.shape(a)) for k, a in point.items()}
    gv = sum(float(np.sum(exact[k] * v[k])) for k in v)
    assert d.directional(point, v) == pytest.approx(gv, rel=1e-8)
    assert np.all(d.agree(got, exact["A"], _f(**point)))


def test_differences_bracket_a_kink_and_follow_float32() -> None:
    f = _on_dict(lambda x: float(np.sum(np.abs(x))))
    d = fd.Differences(f)
    x = {"x": np.array([0.0, 2.0])}
    lo, hi = d.bracket(x, "x", [(0,), (1,)], f(x))
    assert lo[0] < -0.99 and hi[0] > 0.99  # |x| at 0: every subgradient in [-1, 1]
    assert lo[1] == pytest.approx(1.0) and hi[1] == pytest.approx(1.0)
    f32 = fd.Differences(f, float32=True)
    assert (f32.rel_step, f32.rtol, f32.noise) == (fd.FD32_REL_STEP, fd.FD32_RTOL,
                                                    fd.FD32_NOISE)
    assert fd.Differences(f, rel_step=1e-3).rel_step == 1e-3


def test_steps_are_the_rule_of_every_caller() -> None:
    x = np.array([0.0, 1e-3, 0.5, -40.0])
    h = fd.steps(x)
    assert np.array_equal(h, [fd._step(float(v), fd.FD_REL_STEP) for v in x])
    assert h[0] == fd.FD_REL_STEP * fd.FD_STEP_FLOOR and h[3] == fd.FD_REL_STEP * 40.0
    assert fd.quotient(3.0, 1.0, 2.0, 1.0) == 2.0


def test_deltas_differences_use_the_same_steps() -> None:
    """derive.deltas (every entry at once, along the traced graph) agrees with the entry-by-
    entry differences of numeric.fd to round-off: the same steps, the same quotient."""
    from derive import deltas
    from derive.graph import from_forward

    rng = np.random.default_rng(5)
    point = {"X": rng.standard_normal((5, 3)), "W": 0.01 * rng.standard_normal((3, 2))}

    def forward(X, W):
        return np.sum(np.tanh(X @ W) ** 2)

    graph = from_forward(forward, {k: v.shape for k, v in point.items()}, ("W",))
    flat = np.arange(6)
    fast = deltas.central_differences(deltas.Evaluator(graph), point, "W", flat,
                                      fd.FD_REL_STEP)
    d = fd.Differences(_on_dict(forward))
    slow = np.array([d._at(point, "W", i, float(point["W"][i]),
                           d._h(float(point["W"][i]))) for i in np.ndindex(3, 2)])
    assert np.allclose(fast, slow, rtol=1e-6, atol=1e-9)
