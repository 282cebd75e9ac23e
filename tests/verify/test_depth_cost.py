"""Work bounds that keep a cold check cheap without a clock (issue 16): the per-entry sample
through a deep network, the automatic proof's budget, np.where's branches."""

from __future__ import annotations

import numpy as np
import pytest
from derive.numeric.config import FD_SAMPLE, FD_SAMPLE_MIN, FD_WORK

import derive
from derive import deltas
from derive import proof as P
from derive.lazysympy import sp


def _mlp(depth: int):
    def forward(X, y, **p):
        h = X
        for k in range(1, depth + 1):
            h = np.tanh(h @ p[f"W{k}"])
        return np.mean((h - y) ** 2)

    def backward(X, y, **p):
        hs = [X]
        for k in range(1, depth + 1):
            hs.append(np.tanh(hs[-1] @ p[f"W{k}"]))
        g = 2 * (hs[-1] - y) / y.size
        out = {}
        for k in range(depth, 0, -1):
            g = g * (1 - hs[k] ** 2)
            out[f"W{k}"] = hs[k - 1].T @ g
            g = g @ p[f"W{k}"].T
        return out

    shapes = {"X": (64, 16), "y": (64, 16), **{f"W{k}": (16, 16) for k in range(1, depth + 1)}}
    return forward, backward, shapes


def test_an_early_layer_samples_fewer_entries_within_the_work_budget() -> None:
    forward, backward, shapes = _mlp(6)
    r = derive.verify(forward, backward, shapes, prove=False)
    assert all(g.verdict == "ok" for g in r.gradients.values())
    ev = deltas.Evaluator(r.traced.graph)
    work = [deltas.work(ev, f"W{k}") for k in range(1, 7)]
    assert work == sorted(work, reverse=True)  # a perturbation of W1 crosses every layer
    sizes = [r.gradients[f"W{k}"].differenced[0] for k in range(1, 7)]
    expected = [min(FD_SAMPLE, 256, max(FD_SAMPLE_MIN, FD_WORK // w)) for w in work]
    assert sizes == expected
    # the work of the whole sample is bounded per gradient: linear in depth, not quadratic
    assert all(n * w <= max(FD_WORK, FD_SAMPLE_MIN * w) for n, w in zip(sizes, work))


def test_a_wrong_entry_of_a_deep_network_is_still_located() -> None:
    forward, backward, shapes = _mlp(6)

    def planted(**a):
        g = backward(**a)
        g["W1"][3, 7] += 1e-3
        return g

    r = derive.verify(forward, planted, shapes, prove=False)
    assert r.gradients["W1"].verdict == "wrong"
    assert r.gradients["W1"].entries == [(3, 7)]


def test_np_where_branches_are_proved_case_by_case() -> None:
    def forward(W1, W2, X, t):
        h = X @ W1
        a = np.where(h > 0, h, 0.01 * h)
        return 0.5 * np.sum((a @ W2 - t) ** 2)

    def backward(W1, W2, X, t):
        h = X @ W1
        a = np.where(h > 0, h, 0.01 * h)
        d = a @ W2 - t
        return {"W1": X.T @ ((d @ W2.T) * np.where(h > 0, 1.0, 0.01)), "W2": a.T @ d}

    shapes = {"W1": (4, 6), "W2": (6, 1), "X": (7, 4), "t": (7, 1)}
    r = derive.verify(forward, backward, shapes)
    assert all(g.proof is not None and g.proof.proved for g in r.gradients.values()), \
        r.proof_note


def test_attention_is_left_to_prove_by_its_size_not_a_clock() -> None:
    def softmax(z):
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def forward(Wq, Wk, x):
        s = (x @ Wq) @ (x @ Wk).T
        return np.sum(softmax(s) @ x)

    def backward(Wq, Wk, x):
        q, k = x @ Wq, x @ Wk
        a = softmax(q @ k.T)
        da = np.ones((x.shape[0], x.shape[1])) @ x.T
        ds = a * (da - (da * a).sum(axis=-1, keepdims=True))
        return {"Wq": x.T @ (ds @ k), "Wk": x.T @ (ds.T @ q)}

    shapes = {"Wq": (3, 3), "Wk": (3, 3), "x": (4, 3)}
    r = derive.verify(forward, backward, shapes)
    assert all(g.verdict == "ok" for g in r.gradients.values())
    assert all(g.proof is None or not g.proof.proved for g in r.gradients.values())
    assert "not proved" in r.proof_note and "work budget" in r.proof_note


def test_an_entry_over_the_budget_is_not_evaluated(monkeypatch: pytest.MonkeyPatch) -> None:
    x = sp.Symbol("x", real=True)
    big = sum(sp.tanh(x + k) ** 2 for k in range(40))
    small = P.WorkBudget(total_ops=10_000, entry_ops=50)

    def refuse(e):
        raise AssertionError("an entry over the budget was evaluated at test points")

    monkeypatch.setattr(P, "_values", refuse)
    proof = P.prove("w", np.array([big * (1 + x)]), np.array([big + big * x]), small)
    assert not proof.proved and proof.timed_out
