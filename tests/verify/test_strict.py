"""Numeric-only as strict as traced (issue 13): judged relative to the gradient, not to f; the
step follows |x| near a singularity; the Taylor remainder slope decides where finite
differences' round-off cannot."""

from __future__ import annotations

import numpy as np
import pytest

import derive


@pytest.mark.parametrize("numeric", [False, True], ids=["traced", "numeric-only"])
@pytest.mark.parametrize("kind", ["sign", "zero"])
def test_a_large_constant_in_the_loss_hides_no_error(numeric: bool, kind: str) -> None:
    def forward(x):
        y = np.sin(x)
        if numeric:
            y = np.sort(y)
        return 1e6 + 1e-3 * np.sum(y)

    def backward(x):
        return {"x": (-1.0 if kind == "sign" else 0.0) * 1e-3 * np.cos(x)}

    g = derive.verify(forward, backward, shapes={"x": (4, 3)}, prove=False).gradients["x"]
    assert g.verdict == "wrong" and g.numeric_only == numeric
    if numeric:
        assert "Taylor remainder slope" in g.message


@pytest.mark.parametrize("numeric", [False, True], ids=["traced", "numeric-only"])
def test_the_right_gradient_with_a_large_constant_is_ok(numeric: bool) -> None:
    def forward(x):
        y = np.sin(x)
        if numeric:
            y = np.sort(y)
        return 1e6 + 1e-3 * np.sum(y)

    def backward(x):
        return {"x": 1e-3 * np.cos(x)}

    assert derive.verify(forward, backward, shapes={"x": (4, 3)}, prove=False).ok


@pytest.mark.parametrize("numeric", [False, True], ids=["traced", "numeric-only"])
def test_one_entry_half_a_percent_off_near_a_singularity_is_wrong(numeric: bool) -> None:
    def forward(x):
        y = 1 / x
        if numeric:
            y = np.sort(y)
        return np.sum(y)

    def backward(x):
        g = -1 / x**2
        g[1] *= 1.005
        return {"x": g}

    r = derive.verify(forward, backward, prove=False,
                      inputs=lambda rng: {"x": rng.uniform(0.5e-3, 2e-3, (4,))})
    g = r.gradients["x"]
    assert (g.verdict, g.diagnosis, g.entries) == ("wrong", "entries", [(1,)])
