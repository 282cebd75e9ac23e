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
from derive.errors import InputError
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
    for bad in ({"rtol": -1.0}, {"atol": float("nan")}, {"eps": 0.0}, {"rtol": "1e-3"}):
        with pytest.raises(InputError):
            derive.verify(forward, right, shapes=SHAPES, **bad)





def test_json_carries_schema_version_and_check_s_fields() -> None:
    out = subprocess.run([sys.executable, "-m", "derive", "verify",
                          str(EXAMPLES / "linear_regression_as_printed.py"), "--json"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1, out.stderr
    data = json.loads(out.stdout)
    assert data["schema"] == "derive.verify/1" and data["derive_version"] == __version__
    w = data["gradients"]["W"]
    for key in ("message", "max_abs_error", "max_rel_error", "tolerance", "verdict",
                "diagnosis", "factor", "entries", "numeric_only"):
        assert key in w
    assert w["diagnosis"] == "scaled" and w["factor"] == 8.0
    assert "numeric_only_reason" in data and data["numeric_only_reason"] is None
