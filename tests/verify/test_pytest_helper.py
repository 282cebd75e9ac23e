"""assert_gradients in a user's pytest suite (issue 15.2): rtol/atol/eps/err_msg as
numpy.testing takes them, a failure message with the numbers, a DeriveWarning when a verdict
rests on weaker evidence, and the user's own exception chained so pytest shows their line."""

from __future__ import annotations

import traceback
import warnings

import numpy as np
import pytest
from derive.numeric.config import FLOAT32_RTOL, RTOL

import derive
from derive.errors import DeriveWarning, InputError, UserCodeError
from derive.testing import assert_gradients

SHAPES = {"X": (8, 3), "W": (3, 2)}


def forward(X, W):
    return np.mean((X @ W) ** 2)


def backward_right(X, W):
    return {"W": 2 * X.T @ (X @ W) / 16}


def backward_slightly_off(X, W):
    return {"W": backward_right(X, W)["W"] * (1 + 3e-5)}


def test_rtol_replaces_the_comparison_tolerance() -> None:
    with pytest.raises(AssertionError, match=f"tolerance rtol {RTOL:g}"):
        assert_gradients(forward, backward_slightly_off, shapes=SHAPES)
    r = assert_gradients(forward, backward_slightly_off, shapes=SHAPES, rtol=1e-4)
    assert r.gradients["W"].tolerance == 1e-4 and r.ok
    assert derive.verify(forward, backward_slightly_off, shapes=SHAPES, prove=False,
                         rtol=1e-4).ok


def test_atol_accepts_entries_within_it() -> None:
    def backward(X, W):
        return {"W": backward_right(X, W)["W"] + 1e-3}

    with pytest.raises(AssertionError):
        assert_gradients(forward, backward, shapes=SHAPES)
    assert assert_gradients(forward, backward, shapes=SHAPES, atol=2e-3).ok


def _sorted_cubes(x):
    return np.sum(np.sort(x) ** 3)  # np.sort: judged by finite differences alone


def test_eps_is_the_finite_difference_step() -> None:
    x = {"x": np.array([1.0, -2.0, 3.0])}
    kw = {"inputs": x, "points": 1, "prove": False}
    right = derive.verify(_sorted_cubes, lambda x: {"x": 3 * x ** 2}, **kw)
    assert right.ok and right.numeric_only
    # a step of 1e-2 |x| makes the central difference of x^3 off by h^2 ~ 1e-4 relative
    coarse = derive.verify(_sorted_cubes, lambda x: {"x": 3 * x ** 2}, eps=1e-2, **kw)
    assert not coarse.ok and coarse.gradients["x"].verdict == "wrong"


@pytest.mark.parametrize("option, value, message", [
    ("rtol", -1.0, "rtol must be a positive finite number, got -1.0"),
    ("rtol", float("nan"), "rtol must be a positive finite number, got nan"),
    ("eps", 0.0, "eps must be a positive finite number, got 0.0"),
    ("atol", "0.1", "atol must be a finite number >= 0, got '0.1'"),
])
def test_bad_tolerances_are_named(option: str, value: object, message: str) -> None:
    with pytest.raises(InputError) as info:
        assert_gradients(forward, backward_right, shapes=SHAPES, **{option: value})
    assert str(info.value) == message


def test_the_failure_shows_the_numbers_like_numpy_testing() -> None:
    def backward(X, W):
        g = backward_right(X, W)["W"].copy()
        g[1, 0] += 1.0
        return {"W": g}

    with pytest.raises(AssertionError) as info:
        assert_gradients(forward, backward, shapes=SHAPES, seed=11, err_msg="layer 1")
    lines = str(info.value).splitlines()
    assert lines[0] == "layer 1"
    assert lines[1] == "the gradient is wrong: W"
    assert lines[2].startswith("W  wrong") and "entries" in lines[2]
    assert "W: at point 1 of 3 (seed 11)" in lines
    head = lines.index("W: at point 1 of 3 (seed 11)")
    assert lines[head + 1].split() == ["index", "expected", "yours"]
    row = lines[head + 2].split()
    assert " ".join(row[:2]) == "(1, 0)"
    assert float(row[3]) - float(row[2]) == pytest.approx(1.0, rel=1e-5)
    assert lines[head + 3].startswith("  max abs error 1, max rel error ")
    assert lines[head + 3].endswith(f"tolerance rtol {RTOL:g}")


def test_at_most_five_rows_are_listed() -> None:
    def backward(X, W):
        return {"W": -backward_right(X, W)["W"]}

    with pytest.raises(AssertionError) as info:
        assert_gradients(forward, backward, shapes=SHAPES)
    text = str(info.value)
    rows = [x for x in text.splitlines() if x.startswith("  (")]
    assert len(rows) == 5 and "  ... 1 more of 6 entries" in text


def test_a_numeric_only_pass_warns() -> None:
    with pytest.warns(DeriveWarning, match=r"numeric only: x judged by finite differences "
                                           r"alone \(the tracer cannot map numpy.sort\)"):
        assert_gradients(_sorted_cubes, lambda x: {"x": 3 * x ** 2}, shapes={"x": (4,)})


def test_a_float32_pass_warns_low_precision() -> None:
    def backward(X, W):
        return {"W": backward_right(X, W)["W"].astype(np.float32)}

    with pytest.warns(DeriveWarning, match=f"low precision: float32 \\(W judged with rtol up "
                                           f"to {FLOAT32_RTOL:g}\\)"):
        assert_gradients(forward, backward, shapes=SHAPES)


def test_a_float64_derived_pass_is_silent() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert assert_gradients(forward, backward_right, shapes=SHAPES).ok


def _broken_forward(x):
    scale = 0.0
    return np.sum(x) * (1.0 / int(scale))  # the user's own bug: ZeroDivisionError


def test_the_users_exception_is_chained_to_their_line() -> None:
    with pytest.raises(UserCodeError) as info:
        assert_gradients(_broken_forward, lambda x: {"x": x}, shapes={"x": (2,)})
    cause = info.value.__cause__
    assert isinstance(cause, ZeroDivisionError)
    frames = traceback.extract_tb(cause.__traceback__)
    assert frames[-1].name == "_broken_forward" and "int(scale)" in frames[-1].line
    assert str(info.value).startswith("forward raised ZeroDivisionError")


def test_a_backward_exception_is_chained_too() -> None:
    def backward(x):
        return {"x": x[5]}  # IndexError in the user's backward

    with pytest.raises(UserCodeError) as info:
        assert_gradients(lambda x: np.sum(x), backward, shapes={"x": (2,)})
    assert isinstance(info.value.__cause__, IndexError)
    assert traceback.extract_tb(info.value.__cause__.__traceback__)[-1].name == "backward"
