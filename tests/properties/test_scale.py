"""Scale-free verdicts (issue 13): multiplying the loss by any power of ten in [1e-30, 1e30]
changes no verdict, traced or numeric-only. Before, a factor-2 error or an all-zero gradient
passed at s = 1e-14 (an absolute floor of 1e-8 swallowed the whole gradient)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import derive

KINDS = {"right": 1.0, "doubled": 2.0, "zero": 0.0, "sign": -1.0}


def _verdict(exponent: int, kind: str, numeric: bool) -> str:
    s = 10.0**exponent

    def forward(x):
        y = np.tanh(x) ** 2
        if numeric:
            y = np.sort(y)  # not traced: the verdict comes from finite differences alone
        return s * np.sum(y)

    def backward(x):
        t = np.tanh(x)
        return {"x": KINDS[kind] * s * 2 * t * (1 - t**2)}

    r = derive.verify(forward, backward, shapes={"x": (4, 3)}, points=2, prove=False)
    assert r.traced is None if numeric else r.traced is not None
    return r.gradients["x"].verdict


@settings(max_examples=25, deadline=None)
@given(exponent=st.integers(-30, 30), kind=st.sampled_from(sorted(KINDS)),
       numeric=st.booleans())
def test_no_verdict_depends_on_the_loss_scale(exponent: int, kind: str, numeric: bool) -> None:
    expected = "ok" if kind == "right" else "wrong"
    assert _verdict(exponent, kind, numeric) == expected
