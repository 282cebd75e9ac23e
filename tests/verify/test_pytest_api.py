"""derive in a user's pytest suite (issue 15): tolerances as numpy.testing/torch/jax name them,
a failure message with the numbers, a warning when a verdict rests on less than a derivation,
the user's own exception chained, and a JSON contract with a schema and version."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import derive
from derive import __version__
from derive.errors import DeriveWarning, InputError, UserCodeError
from derive.testing import assert_gradients

SHAPES = {"X": (8, 3), "W": (3, 1)}
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def forward(X, W):
    return np.mean((X @ W) ** 2)


def right(X, W):
    return {"W": X.T @ (2 * (X @ W)) / X.shape[0]}


def test_rtol_atol_and_eps_are_accepted_and_decide() -> None:
    def nudged(X, W):
        return {"W": right(X, W)["W"] * (1 + 1e-4)}

    with pytest.raises(AssertionError):
        assert_gradients(forward, nudged, shapes=SHAPES)
    assert assert_gradients(forward, nudged, shapes=SHAPES, rtol=1e-3).ok
    assert assert_gradients(forward, nudged, shapes=SHAPES, atol=1e-2).ok
    assert derive.verify(forward, right, shapes=SHAPES, eps=1e-5).ok
    for bad in ({"rtol": -1.0}, {"atol": float("nan")}, {"eps": 2.0}, {"rtol": "1e-3"}):
        with pytest.raises(InputError):
            derive.verify(forward, right, shapes=SHAPES, **bad)


def test_a_failure_lists_index_expected_yours_and_the_numbers() -> None:
    def missing_mean(X, W):
        return {"W": X.T @ (2 * (X @ W))}

    with pytest.raises(AssertionError) as info:
        assert_gradients(forward, missing_mean, shapes=SHAPES, seed=3, err_msg="layer 1")
    lines = str(info.value).splitlines()
    assert lines[0] == "layer 1"
    assert lines[1] == "the gradient is wrong: W"
    assert "scaled by 8 (a missing 1/N, N = 8?)" in lines[2]
    numbers = next(line for line in lines if line.startswith("W: max abs error"))
    assert "tolerance rtol 1e-06" in numbers and "seed 3" in numbers and "point" in numbers
    header = lines.index(next(line for line in lines if line.strip().startswith("index")))
    rows = [line.split() for line in lines[header + 1:header + 4]]
    assert [r[0] for r in rows] == ["(0,", "(1,", "(2,"]
    for r in rows:  # yours is 8 times the expected value, entry by entry
        assert float(r[-1]) == pytest.approx(8 * float(r[-2]))


def test_numeric_only_and_low_precision_verdicts_warn() -> None:
    def sorted_forward(x):
        return np.sum(np.sort(x) ** 2)

    with pytest.warns(DeriveWarning, match="numeric only"):
        assert_gradients(sorted_forward, lambda x: {"x": 2 * x}, shapes={"x": (5,)})
    with pytest.warns(DeriveWarning, match="low precision"):
        assert_gradients(forward, lambda X, W: {"W": right(X, W)["W"].astype(np.float32)},
                         shapes=SHAPES)


def test_the_user_s_exception_is_chained() -> None:
    def broken(X, W):
        raise ValueError("shapes disagree in my backward")

    with pytest.raises(UserCodeError) as info:
        assert_gradients(forward, broken, shapes=SHAPES)
    assert isinstance(info.value.__cause__, ValueError)
    assert "shapes disagree in my backward" in str(info.value.__cause__)


def test_json_carries_schema_version_and_check_s_fields() -> None:
    out = subprocess.run([sys.executable, "-m", "derive", "verify",
                          str(EXAMPLES / "linear_regression_as_printed.py"), "--json"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1, out.stderr
    data = json.loads(out.stdout)
    assert data["schema"] == "derive.verify/2" and data["derive_version"] == __version__
    w = data["gradients"]["W"]
    for key in ("message", "max_abs_error", "max_rel_error", "tolerance", "verdict",
                "diagnosis", "factor", "entries", "numeric_only"):
        assert key in w
    assert w["diagnosis"] == "scaled" and w["factor"] == 8.0
    assert "numeric_only_reason" in data and data["numeric_only_reason"] is None
