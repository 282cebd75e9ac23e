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


@pytest.mark.parametrize("numeric", [False, True], ids=["traced", "numeric-only"])
@pytest.mark.parametrize("off", [False, True], ids=["right", "one-entry-off"])
def test_log_and_sqrt_at_1e_7_stay_in_their_domain(numeric: bool, off: bool) -> None:
    """The step follows |x| there (6e-8 would be most of x): before, a right gradient was
    'nondifferentiable' and the derivation distrusted."""
    def forward(x):
        y = np.log(x) + np.sqrt(x)
        if numeric:
            y = np.sort(y)
        return np.sum(y)

    def backward(x):
        g = 1 / x + 0.5 / np.sqrt(x)
        if off:
            g[1] *= 1.005
        return {"x": g}

    r = derive.verify(forward, backward,
                      inputs=lambda rng: {"x": 1e-7 + rng.uniform(0, 1e-8, (3,))})
    g = r.gradients["x"]
    assert not r.notes or numeric  # the derivation is trusted when traced
    assert (g.verdict, g.entries) == (("wrong", [(1,)]) if off else ("ok", []))


def test_a_boolean_mask_input_is_judged_not_a_crash() -> None:
    def forward(x, m):
        return np.sum(np.where(m, x**2, 0.0))

    def backward(x, m):
        return {"x": np.where(m, 2 * x, 0.0)}

    r = derive.verify(forward, backward, shapes={"x": (5, 4)},
                      inputs=lambda rng: {"m": rng.uniform(size=(5, 4)) > 0.5})
    assert r.ok and r.traced is not None
