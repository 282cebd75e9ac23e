"""Kinks under any convention (issue 13): a correct subgradient is never `wrong`.

A two-layer ReLU network hits many kinks at once when a layer is zero-initialised or an input
row is all zeros with zero bias; there the one-sided differences of one entry need not bracket
the chain rule, and a backward's mask convention decides the value. Every framework convention
(relu'(0) = 0, 1/2, 1) is `nondifferentiable`, naming the convention; a mask that matches none
of them is still `wrong`.
"""

from __future__ import annotations

import numpy as np
import pytest

import derive

SHAPES = {"X": (6, 4), "y": (6, 1), "W1": (4, 5), "b1": (1, 5), "W2": (5, 1)}

MASKS = {
    "x > 0": (lambda Z: (Z > 0).astype(float), "relu'(0) = 0"),
    "x >= 0": (lambda Z: (Z >= 0).astype(float), "relu'(0) = 1"),
    "1/2 at 0": (lambda Z: np.where(Z > 0, 1.0, np.where(Z < 0, 0.0, 0.5)), None),
}


def forward(X, y, W1, b1, W2):
    H = np.maximum(0, X @ W1 + b1)
    return np.mean((H @ W2 - y) ** 2)


def _backward(mask, scale=1.0):
    def backward(X, y, W1, b1, W2):
        Z = X @ W1 + b1
        H = np.maximum(0, Z)
        dP = 2 * (H @ W2 - y) / X.shape[0]
        dZ = (dP @ W2.T) * mask(Z) * scale
        return {"W1": X.T @ dZ, "b1": dZ.sum(axis=0, keepdims=True), "W2": H.T @ dP}
    return backward


def padding_row(rng):
    X = rng.standard_normal((6, 4))
    X[2] = 0.0
    return {"X": X, "b1": np.zeros((1, 5))}


def zero_layer(rng):
    return {"W1": np.zeros((4, 5)), "b1": np.zeros((1, 5))}


SCENARIOS = {"padding row, zero bias": padding_row, "zero-initialised W1": zero_layer}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("mask", list(MASKS))
def test_every_mask_convention_is_a_subgradient(scenario: str, mask: str) -> None:
    fn, convention = MASKS[mask]
    r = derive.verify(forward, _backward(fn), shapes=SHAPES, inputs=SCENARIOS[scenario])
    verdicts = {k: g.verdict for k, g in r.gradients.items()}
    assert "wrong" not in verdicts.values(), {k: g.message for k, g in r.gradients.items()}
    assert "nondifferentiable" in verdicts.values()
    named = [g.message for g in r.gradients.values() if g.verdict == "nondifferentiable"]
    if convention is not None and any("several steps" in m for m in named):
        assert any(convention in m for m in named)


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_a_mask_that_matches_no_convention_is_still_wrong(scenario: str) -> None:
    r = derive.verify(forward, _backward(MASKS["x >= 0"][0], scale=2.0), shapes=SHAPES,
                      inputs=SCENARIOS[scenario])
    assert any(g.verdict == "wrong" for g in r.gradients.values())


def test_relu_prime_two_at_the_kink_is_outside_every_convention() -> None:
    """relu'(0) = 2: right away from 0, wrong exactly where the zero row sits."""
    def mask(Z):
        return np.where(Z > 0, 1.0, np.where(Z < 0, 0.0, 2.0))

    r = derive.verify(forward, _backward(mask), shapes=SHAPES, inputs=padding_row)
    assert r.gradients["b1"].verdict == "wrong"


@pytest.mark.parametrize("prime_at_zero", [0.0, 0.5, 1.0, -1.0])
def test_abs_at_zero_any_value_in_the_subdifferential(prime_at_zero: float) -> None:
    def fwd(x):
        return np.sum(np.abs(x) * 3.0)

    def bwd(x):
        return {"x": 3.0 * np.where(x == 0, prime_at_zero, np.sign(x))}

    r = derive.verify(fwd, bwd, inputs=lambda rng: {"x": np.array([0.0, 1.5, -2.0, 0.0])})
    assert r.gradients["x"].verdict == "nondifferentiable"


def test_abs_prime_outside_the_subdifferential_is_wrong() -> None:
    def fwd(x):
        return np.sum(np.abs(x))

    def bwd(x):
        return {"x": np.where(x == 0, 1.5, np.sign(x))}

    r = derive.verify(fwd, bwd, inputs=lambda rng: {"x": np.array([0.0, 1.5, -2.0])})
    assert r.gradients["x"].verdict == "wrong"


@pytest.mark.parametrize("h0", [0.0, 0.5, 1.0])
def test_leaky_relu_and_clip_bounds(h0: float) -> None:
    def fwd(x):
        return np.sum(np.maximum(0.2 * x, x) + np.clip(x, -1.0, 1.0))

    def bwd(x):
        leaky = np.where(x > 0, 1.0, np.where(x < 0, 0.2, 0.2 + 0.8 * h0))
        clip = np.where(np.abs(x) < 1, 1.0, np.where(np.abs(x) > 1, 0.0, h0))
        return {"x": leaky + clip}

    x = np.array([0.0, 1.0, -1.0, 0.3, -2.0])
    r = derive.verify(fwd, bwd, inputs=lambda rng: {"x": x})
    assert r.gradients["x"].verdict == "nondifferentiable"
