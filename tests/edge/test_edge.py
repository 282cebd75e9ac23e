"""Numerical edge cases: saturation, kinks, tiny gradients, float32, per-entry steps.

Every check here runs with numpy warnings turned into errors, so an overflow anywhere in
the pipeline (user code excepted: it runs under errstate) fails the test.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator

import numpy as np
import pytest
from derive.numeric import functions as nf
from derive.numeric.fd import FD_REL_STEP, central_gradient

from derive.errors import DeriveWarning, InputError
from derive.verify import VerifyResult, verify


@pytest.fixture(autouse=True)
def warnings_are_errors() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy RuntimeWarning may leak out of a check
        warnings.filterwarnings("ignore", category=DeriveWarning)  # ours, on purpose (below)
        yield


def _finite(r: VerifyResult) -> None:
    for g in r.gradients.values():
        assert math.isfinite(g.max_rel_error) and math.isfinite(g.max_abs_error), g
        assert g.expected is None or np.all(np.isfinite(g.expected))


SATURATED = np.array([1000.0, -1000.0, 0.3, -2.0])


# ---------------------------------------------------------------- sigmoid and exp at +-1000


def test_sigmoid_at_1000_without_overflow() -> None:
    with np.errstate(all="raise"):
        s = nf.sigmoid(SATURATED)
    assert s[0] == 1.0 and s[1] == 0.0 and np.all(np.isfinite(s))


@pytest.mark.parametrize("prove", [False, True])
def test_table_sigmoid_at_1000(prove: bool) -> None:
    def forward(x):
        return np.sum(nf.sigmoid(x))

    def backward(x):
        s = nf.sigmoid(x)
        return {"x": s * (1 - s)}

    r = verify(forward, backward, inputs={"x": SATURATED}, prove=prove)
    assert r.ok and r.gradients["x"].verdict == "ok" and not r.numeric_only
    _finite(r)


def test_a_users_naive_sigmoid_at_1000() -> None:
    def forward(x):
        return np.sum(1 / (1 + np.exp(-x)))  # overflows in exp(1000): the user's own business

    def backward(x):
        s = nf.sigmoid(x)
        return {"x": s * (1 - s)}

    r = verify(forward, backward, inputs={"x": SATURATED})
    assert r.ok
    _finite(r)
    wrong = verify(forward, lambda x: {"x": 2 * backward(x)["x"]}, inputs={"x": SATURATED})
    assert wrong.gradients["x"].verdict == "wrong"
    _finite(wrong)


def test_exp_at_minus_1000() -> None:
    r = verify(lambda x: np.sum(np.exp(x)), lambda x: {"x": np.exp(x)},
               inputs={"x": np.array([-1000.0, 0.5, -3.0])}, prove=True)
    assert r.ok and r.gradients["x"].verdict == "ok"
    _finite(r)


def test_exp_at_plus_1000_is_a_bad_input_not_a_nan() -> None:
    with pytest.raises(InputError, match=r"^forward returned inf at shapes x=2: give inputs"):
        verify(lambda x: np.sum(np.exp(x)), lambda x: {"x": np.exp(x)},
               inputs={"x": np.array([1000.0, 0.5])})


def test_softplus_at_1000_through_logaddexp() -> None:
    def forward(x):
        return np.sum(np.logaddexp(0.0, x))  # log(1 + e^x), stable at 1000

    r = verify(forward, lambda x: {"x": nf.sigmoid(x)}, inputs={"x": SATURATED})
    assert r.ok and not r.numeric_only
    _finite(r)


def test_tanh_at_1000() -> None:
    r = verify(lambda x: np.sum(np.tanh(x)), lambda x: {"x": 1 - np.tanh(x) ** 2},
               inputs={"x": SATURATED})
    assert r.ok
    _finite(r)


# ---------------------------------------------------------------- kinks: nondifferentiable


KINKS = {
    "relu": (lambda x: np.sum(nf.relu(x)), [0.0, 0.5, 1.0]),
    "np.maximum(x, 0)": (lambda x: np.sum(np.maximum(x, 0)), [0.0, 0.5, 1.0]),
    "leaky relu": (lambda x: np.sum(nf.leaky_relu(x)), [0.2, 0.6, 1.0]),
    "abs": (lambda x: np.sum(np.abs(x)), [-1.0, 0.0, 1.0]),
}
KINK_POINT = np.array([0.0, 1.5, -0.7, 0.0])


@pytest.mark.parametrize("name", list(KINKS))
@pytest.mark.parametrize("which", [0, 1, 2])
def test_any_subgradient_at_a_kink_is_nondifferentiable(name: str, which: int) -> None:
    forward, choices = KINKS[name]
    h = choices[which]  # the value the user's backward picks at the kink

    def backward(x):
        exact = central_gradient(forward, {"x": x}, "x")  # right away from the kink
        return {"x": np.where(x == 0, h, np.round(exact, 6))}

    r = verify(forward, backward, inputs={"x": KINK_POINT}, prove=False)
    g = r.gradients["x"]
    assert g.verdict == "nondifferentiable" and g.diagnosis == "nondifferentiable", g.message
    assert r.ok and set(g.entries) <= {(0,), (3,)}
    _finite(r)


@pytest.mark.parametrize("name", list(KINKS))
def test_outside_the_subgradient_is_wrong(name: str) -> None:
    forward, choices = KINKS[name]

    def backward(x):
        exact = central_gradient(forward, {"x": x}, "x")
        return {"x": np.where(x == 0, 5.0, np.round(exact, 6))}

    r = verify(forward, backward, inputs={"x": KINK_POINT}, prove=False)
    assert r.gradients["x"].verdict == "wrong"


@pytest.mark.parametrize("pick", ["x", "y", "half"])
def test_max_ties(pick: str) -> None:
    def forward(x, y):
        return np.sum(np.maximum(x, y) * np.array([1.0, 2.0, 3.0]))

    def backward(x, y):
        share = {"x": 1.0, "y": 0.0, "half": 0.5}[pick]
        c = np.array([1.0, 2.0, 3.0])
        gx = np.where(x > y, 1.0, np.where(x == y, share, 0.0)) * c
        gy = np.where(y > x, 1.0, np.where(x == y, 1 - share, 0.0)) * c
        return {"x": gx, "y": gy}

    point = {"x": np.array([1.0, 2.0, -1.0]), "y": np.array([1.0, -1.0, -1.0])}
    r = verify(forward, backward, inputs=point, prove=False)
    assert r.ok and all(g.verdict == "nondifferentiable" for g in r.gradients.values())
    assert set(r.gradients["x"].entries) <= {(0,), (2,)}
    _finite(r)


def test_relu_kink_inside_a_network() -> None:
    X = np.array([[1.0, -1.0], [2.0, 0.5]])
    W = np.array([[1.0, 0.3], [1.0, -0.4]])  # (X W)[0, 0] = 0: on the kink

    def forward(X, W):
        return np.sum(np.maximum(X @ W, 0) ** 2)

    def backward(X, W):
        N = X @ W
        dN = 2 * np.maximum(N, 0) * (N > 0)
        return {"W": X.T @ dN}

    r = verify(forward, backward, inputs={"X": X, "W": W}, prove=False)
    assert r.ok and r.gradients["W"].verdict in ("ok", "nondifferentiable")


# ---------------------------------------------------------------- gradients of size 1e-12


def _tiny(x):
    return 1e-12 * np.sum(x**2)


def test_a_right_tiny_gradient_is_ok() -> None:
    r = verify(_tiny, lambda x: {"x": 2e-12 * x}, shapes={"x": (4,)})
    assert r.ok and r.gradients["x"].verdict == "ok"
    r = verify(_tiny, lambda x: {"x": 2 * x * 1e-12}, shapes={"x": (4,)})  # other rounding
    assert r.ok


@pytest.mark.parametrize(("scale", "diagnosis", "factor"), [
    (2.0, "scaled", 2.0), (-1.0, "sign", -1.0), (0.5, "scaled", 0.5)])
def test_a_wrong_tiny_gradient_is_named(scale: float, diagnosis: str, factor: float) -> None:
    r = verify(_tiny, lambda x: {"x": scale * 2e-12 * x}, shapes={"x": (4,)})
    g = r.gradients["x"]
    assert (g.verdict, g.diagnosis, g.factor) == ("wrong", diagnosis, factor)


def test_one_tiny_entry_off_is_located() -> None:
    def backward(x):
        g = 2e-12 * x
        g[2] *= 1.1
        return {"x": g}

    g = verify(_tiny, backward, shapes={"x": (4,)}).gradients["x"]
    assert (g.verdict, g.diagnosis, g.entries) == ("wrong", "entries", [(2,)])


def test_tiny_beside_large_entries() -> None:
    def forward(x, w):
        return np.sum(w * x**2)

    point = {"x": np.array([1.0, 2.0, 3.0]), "w": np.array([1.0, 1e-12, 2.0])}
    r = verify(forward, lambda x, w: {"x": 2 * w * x, "w": x**2}, inputs=point)
    assert r.ok and all(g.verdict == "ok" for g in r.gradients.values())


# ---------------------------------------------------------------- float32


def _f32_forward(X, W):
    return np.sum(np.tanh(X @ W))


def _f32_backward(X, W):
    X32, W32 = X.astype(np.float32), W.astype(np.float32)
    d = (1 - np.tanh(X32 @ W32) ** 2).astype(np.float32)
    return {"W": X32.T @ d}


SHAPES32 = {"X": (8, 5), "W": (5, 3)}


def test_float32_backward_is_judged_with_a_float32_tolerance_and_says_so() -> None:
    r = verify(_f32_forward, _f32_backward, shapes=SHAPES32, prove=False)
    g = r.gradients["W"]
    assert r.ok and g.verdict == "ok" and g.tolerance == pytest.approx(1e-3)
    assert "float32 backward for W: judged with rtol 0.001, which fits float32" in r.notes
    assert any(line.startswith("note: float32 backward for W") for line in r.lines())


def test_float32_backward_still_catches_mistakes() -> None:
    r = verify(_f32_forward, lambda X, W: {"W": 2 * _f32_backward(X, W)["W"]}, shapes=SHAPES32,
               prove=False)
    g = r.gradients["W"]
    assert (g.verdict, g.diagnosis, g.factor) == ("wrong", "scaled", 2.0)


def test_float64_backward_keeps_the_tight_tolerance() -> None:
    r = verify(_f32_forward, lambda X, W: {"W": _f32_backward(X, W)["W"].astype(np.float64)},
               shapes=SHAPES32, prove=False)
    assert r.gradients["W"].verdict == "wrong"  # float32 values, claimed as float64


def test_float32_forward_uses_float32_differences() -> None:
    def forward(X, W):
        return np.sum(np.tanh(X.astype(np.float32) @ W.astype(np.float32)))

    def backward(X, W):
        return {"W": X.T @ (1 - np.tanh(X @ W) ** 2)}

    r = verify(forward, backward, shapes=SHAPES32, prove=False)
    assert r.ok
    assert any(n.startswith("float32 forward: finite differences") for n in r.notes)


def test_float32_in_the_cli_output(tmp_path, capsys) -> None:
    from derive.reports.cli import main

    p = tmp_path / "f32.py"
    p.write_text(
        "import numpy as np\n"
        "SHAPES = {'X': (8, 5), 'W': (5, 3)}\n"
        "def forward(X, W):\n    return np.sum(np.tanh(X @ W))\n"
        "def backward(X, W):\n"
        "    X, W = X.astype(np.float32), W.astype(np.float32)\n"
        "    return {'W': X.T @ (1 - np.tanh(X @ W) ** 2)}\n")
    assert main(["verify", str(p), "--no-prove"]) == 0
    out = capsys.readouterr().out
    assert "note: float32 backward for W: judged with rtol 0.001, which fits float32" in out


# ---------------------------------------------------------------- a step per entry


@pytest.mark.parametrize("m", [1.0, 1e4, 1e8])
def test_the_step_follows_each_entrys_magnitude(m: float) -> None:
    """h = cbrt(eps) * max(1, |x|): the relative step is the same at every magnitude >= 1."""
    x = np.array([m])

    def f(x):
        return np.sum(np.sin(x / m)) * m**2  # curvature at the scale of the entry

    np.testing.assert_allclose(central_gradient(f, {"x": x}, "x"), [m * np.cos(1.0)], rtol=1e-8)


def test_one_fixed_step_would_fail_at_large_entries() -> None:
    x, h = 1e12, FD_REL_STEP  # x + h == x in float64: the quotient is 0, not 2x
    assert ((x + h) ** 2 - (x - h) ** 2) / (2 * h) == 0.0
    g = central_gradient(lambda x: np.sum(x**2), {"x": np.array([x])}, "x")
    assert g[0] == pytest.approx(2 * x, rel=1e-9)


@pytest.mark.parametrize("scale", [1e-6, 1.0, 1e4])
def test_no_false_alarm_at_unusual_scales(scale: float) -> None:
    def forward(X, W):
        return np.sum(np.tanh(X @ W / scale)) * scale

    def backward(X, W):
        return {"W": X.T @ (1 - np.tanh(X @ W / scale) ** 2)}

    def inputs(rng):
        return {"X": scale * rng.standard_normal((4, 3)), "W": rng.standard_normal((3, 2))}

    r = verify(forward, backward, inputs=inputs, points=5, prove=False)
    assert r.ok and r.gradients["W"].verdict == "ok", r.lines()
