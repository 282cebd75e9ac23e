"""A correct subgradient is never `wrong` at a kink, under any mask convention (issue 13.1):
max/min ties elementwise and in reductions, sort (numeric only), at any loss scale; a value
outside the one-sided range is still `wrong`."""

from __future__ import annotations

import numpy as np
import pytest

from derive.verify import verify

# the derivative of a step at 0 as frameworks write it: x > 0, x >= 0, 1/2 at 0
CONVENTIONS = {"x > 0": 0.0, "x >= 0": 1.0, "1/2 at 0": 0.5}

A = np.array([[1.0, 2.0], [-1.0, 0.5]])
B = np.array([[1.0, 0.0], [3.0, 0.5]])  # ties at (0, 0) and (1, 1)


def _step(u: np.ndarray, h0: float) -> np.ndarray:
    return np.where(u > 0, 1.0, np.where(u < 0, 0.0, h0))


@pytest.mark.parametrize("op", ["maximum", "minimum"])
@pytest.mark.parametrize("mask", list(CONVENTIONS))
@pytest.mark.parametrize("s", [1e-14, 1.0, 1e14])
def test_elementwise_ties(op: str, mask: str, s: float) -> None:
    h0, sign = CONVENTIONS[mask], (1.0 if op == "maximum" else -1.0)
    fn = getattr(np, op)

    def forward(a, b):
        return s * np.sum(fn(a, b) ** 2)

    def backward(a, b):
        m = fn(a, b)
        take_a = _step(sign * (a - b), h0)
        return {"a": s * 2 * m * take_a, "b": s * 2 * m * (1 - take_a)}

    r = verify(forward, backward, inputs=lambda rng: {"a": A, "b": B}, prove=False)
    assert {g.verdict for g in r.gradients.values()} <= {"ok", "nondifferentiable"}, r
    if h0 != 0.5:  # 1/2 at 0 is the derivation's own convention: then simply ok
        assert any(g.verdict == "nondifferentiable" for g in r.gradients.values())

    def outside(a, b):
        g = backward(a, b)  # 2.5 times the whole derivative at a tie: beyond [0, 2m]
        return {"a": np.where(a == b, s * 2.5 * 2 * fn(a, b), g["a"]), "b": g["b"]}

    bad = verify(forward, outside, inputs=lambda rng: {"a": A, "b": B}, prove=False)
    assert bad.gradients["a"].verdict == "wrong"


X_TIED = np.array([[3.0, 1.0, 3.0], [0.0, 2.0, -1.0]])  # row 0: a tie for the max


@pytest.mark.parametrize("rule", ["every tied entry", "the first", "split"])
@pytest.mark.parametrize("s", [1e-14, 1.0, 1e14])
def test_max_reduction_with_a_tie(rule: str, s: float) -> None:
    def forward(x):
        return s * np.sum(np.max(x, axis=1))

    def backward(x):
        hit = (x == x.max(axis=1, keepdims=True)).astype(float)
        if rule == "the first":
            hit = np.zeros_like(x)
            hit[np.arange(x.shape[0]), np.argmax(x, axis=1)] = 1.0
        elif rule == "split":
            hit = hit / hit.sum(axis=1, keepdims=True)
        return {"x": s * hit}

    r = verify(forward, backward, inputs=lambda rng: {"x": X_TIED}, prove=False)
    assert r.gradients["x"].verdict in ("ok", "nondifferentiable"), r.gradients["x"].message

    def outside(x):
        g = backward(x)["x"].copy()
        g[0, 0] = 1.7 * s  # above the right derivative 1
        return {"x": g}

    assert verify(forward, outside, inputs=lambda rng: {"x": X_TIED},
                  prove=False).gradients["x"].verdict == "wrong"


@pytest.mark.parametrize("rule", ["every tied entry", "the first"])
def test_sort_with_a_tie_numeric_only(rule: str) -> None:
    w = np.array([0.0, 0.0, 1.0, 2.0])  # weights of sorted positions: a top-2 sum, tie at top

    def forward(x):
        return float(np.sort(x) @ w)

    def backward(x):
        order = np.argsort(x, kind="stable")
        g = np.empty(4)
        g[order] = w
        if rule == "every tied entry":
            g[x == x.max()] = 2.0
        return {"x": g}

    x = np.array([0.5, 3.0, -1.0, 3.0])
    r = verify(forward, backward, inputs=lambda rng: {"x": x}, prove=False)
    g = r.gradients["x"]
    assert g.numeric_only and g.verdict in ("ok", "nondifferentiable"), g.message
