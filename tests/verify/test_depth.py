"""Any depth (issue 12): a 1000-step chain, an RNN unrolled 200 steps and a 300-term
accumulation are traced, derived, compiled and judged, with no recursion or nesting limit
(the compiler emits one statement per named step, never one nested expression)."""

from __future__ import annotations

import numpy as np
import pytest

import derive

CHAIN = 1000
STEPS = 200
TERMS = 300


def chain_forward(x):
    for _ in range(CHAIN):
        x = np.tanh(x)
    return np.sum(x)


def chain_backward(x):
    g = np.ones_like(x)
    values = [x]
    for _ in range(CHAIN):
        values.append(np.tanh(values[-1]))
    for k in range(CHAIN, 0, -1):
        g = g * (1 - values[k] ** 2)
    return {"x": g}


def rnn_forward(X, Wx, Wh):
    h = np.zeros((X.shape[1], Wh.shape[0]))
    for t in range(STEPS):
        h = np.tanh(X[t] @ Wx + h @ Wh)
    return np.sum(h**2)


def rnn_backward(X, Wx, Wh):
    hs = [np.zeros((X.shape[1], Wh.shape[0]))]
    for t in range(STEPS):
        hs.append(np.tanh(X[t] @ Wx + hs[-1] @ Wh))
    dh = 2 * hs[-1]
    dWx, dWh = np.zeros_like(Wx), np.zeros_like(Wh)
    for t in range(STEPS, 0, -1):
        da = dh * (1 - hs[t] ** 2)
        dWx += X[t - 1].T @ da
        dWh += hs[t - 1].T @ da
        dh = da @ Wh.T
    return {"Wx": dWx, "Wh": dWh}


def sum_forward(x, w):
    total = 0.0
    for k in range(TERMS):
        total = total + np.sum(np.sin(w * k / TERMS) * x)
    return total


def sum_backward(x, w):
    g = np.zeros_like(w)
    for k in range(TERMS):
        g = g + np.cos(w * k / TERMS) * (k / TERMS) * x
    return {"w": g}


def _chain_inputs(rng):
    return {"x": rng.uniform(0.5, 1.0, (3,))}


def _rnn_inputs(rng):
    return {"X": rng.standard_normal((STEPS, 2, 3)), "Wx": 0.3 * rng.standard_normal((3, 4)),
            "Wh": 0.3 * rng.standard_normal((4, 4))}


CASES = {
    "chain": (chain_forward, chain_backward, {}, _chain_inputs),
    "rnn": (rnn_forward, rnn_backward, {}, _rnn_inputs),
    "accumulation": (sum_forward, sum_backward, {"x": (3,), "w": (3,)}, None),
}


@pytest.mark.parametrize("name", list(CASES))
def test_deep_graphs_are_derived_and_judged_right(name: str) -> None:
    forward, backward, shapes, inputs = CASES[name]
    r = derive.verify(forward, backward, shapes=shapes or None, inputs=inputs, points=2)
    assert r.traced is not None, r.fallback_reason
    assert r.ok, {k: (g.verdict, g.diagnosis) for k, g in r.gradients.items()}


@pytest.mark.parametrize("name", list(CASES))
def test_a_factor_two_in_a_deep_graph_is_found(name: str) -> None:
    forward, backward, shapes, inputs = CASES[name]

    def doubled(**arrays):
        return {k: 2 * v for k, v in backward(**arrays).items()}

    r = derive.verify(forward, doubled, shapes=shapes or None, inputs=inputs, points=1,
                      prove=False)
    assert r.traced is not None
    assert {(g.verdict, g.diagnosis, g.factor) for g in r.gradients.values()} == \
        {("wrong", "scaled", 2.0)}
