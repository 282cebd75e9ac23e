"""Softmax loss, vectorised; mistake: the data gradient is not divided by the batch size
(the regularisation is zero here, so the whole gradient is scaled)."""

import numpy as np

SHAPES = {"W": (5, 3)}


def inputs(rng):
    return {"X": rng.standard_normal((6, 5)), "y": rng.integers(0, 3, size=6)}


def forward(W, X, y):
    scores = X @ W
    scores = scores - scores.max(axis=1, keepdims=True)
    logp = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
    n = X.shape[0]
    return -logp[np.arange(n), y].sum() / n


def backward(W, X, y):
    scores = X @ W
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(X.shape[0]), y] -= 1
    return {"W": X.T @ p}
