"""Verdict properties of issue 13: scale-free, kinks under any convention, numeric-only as
strict as traced. Each case is a real forward and backward run through derive.verify."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derive.verify import verify

SHAPE = {"x": (4, 3)}


def _tanh2(s, sort=False):
    def forward(x):
        z = np.sort(x, axis=None).reshape(x.shape) if sort else x  # np.sort: numeric only
        return s * np.sum(np.tanh(z) ** 2)
    return forward


def _tanh2_grad(x, s):
    """The same for both forwards: a sum does not depend on the order of its terms."""
    return s * 2 * np.tanh(x) * (1 - np.tanh(x) ** 2)


MISTAKES = {
    "right": lambda g: g,
    "factor 2": lambda g: 2 * g,
    "sign": lambda g: -g,
    "zero": lambda g: 0 * g,
    "one entry 1% off": lambda g: g * np.where(np.arange(g.size).reshape(g.shape) == 4, 1.01, 1),
}


def _verdicts(s: float, sort: bool) -> dict[str, tuple[str, str | None]]:
    out = {}
    for name, mistake in MISTAKES.items():
        r = verify(_tanh2(s, sort), lambda x, m=mistake: {"x": m(_tanh2_grad(x, s))},
                   shapes=SHAPE, prove=False, points=2)
        g = r.gradients["x"]
        assert g.numeric_only == sort
        out[name] = (g.verdict, g.diagnosis)
    return out


BASE = {sort: _verdicts(1.0, sort) for sort in (False, True)}


def test_the_base_verdicts() -> None:
    for sort in (False, True):
        assert BASE[sort]["right"] == ("ok", None)
        assert all(v[0] == "wrong" for k, v in BASE[sort].items() if k != "right"), BASE[sort]


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(k=st.integers(-30, 30), sort=st.booleans())
def test_scaling_the_loss_by_a_power_of_ten_changes_no_verdict(k: int, sort: bool) -> None:
    assert _verdicts(10.0**k, sort) == BASE[sort]


@pytest.mark.parametrize("s", [1e-30, 1e-15, 1e-14, 1e30])
def test_the_issue_scales(s: float) -> None:
    for sort in (False, True):
        assert _verdicts(s, sort) == BASE[sort]


# ---- a large constant in f: judged relative to the gradient, not to f

def _big(sort):
    def forward(x):
        z = np.sort(x) if sort else x
        return 1e6 + 1e-3 * np.sum(np.sin(z))
    return forward


@pytest.mark.parametrize("sort", [False, True])
@pytest.mark.parametrize("grad, verdict", [(lambda x: 1e-3 * np.cos(x), "ok"),
                                           (lambda x: -1e-3 * np.cos(x), "wrong"),
                                           (lambda x: 0 * x, "wrong")])
def test_a_large_constant_in_the_loss_hides_no_mistake(sort, grad, verdict) -> None:
    r = verify(_big(sort), lambda x: {"x": grad(x)}, shapes={"x": (5,)}, prove=False)
    assert r.gradients["x"].verdict == verdict
    assert r.gradients["x"].numeric_only == sort


# ---- near a singularity: the step follows |x|

def _near_zero(rng):
    return {"x": 1e-3 * (1 + rng.random(5))}


def _inv_grad(x, off=True):
    g = -1 / x**2
    if off:
        g[2] *= 1.005
    return g


@pytest.mark.parametrize("sort", [False, True])
def test_one_entry_half_a_percent_off_near_a_singularity_is_wrong(sort) -> None:
    def forward(x):
        return np.sum(1 / (np.sort(x) if sort else x))

    wrong = verify(forward, lambda x: {"x": _inv_grad(x)}, inputs=_near_zero, prove=False)
    g = wrong.gradients["x"]
    assert (g.verdict, g.diagnosis, g.entries, g.numeric_only) == ("wrong", "entries", [(2,)],
                                                                  sort)
    right = verify(forward, lambda x: {"x": _inv_grad(x, off=False)}, inputs=_near_zero,
                   prove=False)
    assert right.gradients["x"].verdict == "ok"


@pytest.mark.parametrize("fn, d", [(np.log, lambda x: 1 / x),
                                   (np.sqrt, lambda x: 0.5 / np.sqrt(x))])
def test_log_and_sqrt_at_1e_7_numeric_only(fn, d) -> None:
    def forward(x):
        return np.sum(fn(np.sort(x)))

    r = verify(forward, lambda x: {"x": d(x)},
               inputs=lambda rng: {"x": 1e-7 * (1 + rng.random(5))}, prove=False)
    assert (r.gradients["x"].verdict, r.gradients["x"].numeric_only) == ("ok", True)
