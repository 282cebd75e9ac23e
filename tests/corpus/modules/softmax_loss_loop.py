"""Softmax loss with explicit loops over the examples, integer labels."""

import numpy as np

SHAPES = {"W": (4, 3)}


def inputs(rng):
    return {"X": rng.standard_normal((5, 4)), "y": rng.integers(0, 3, size=5)}


def forward(W, X, y):
    loss = 0.0
    for i in range(X.shape[0]):
        s = X[i] @ W
        s = s - np.max(s)
        loss += -s[y[i]] + np.log(np.sum(np.exp(s)))
    return loss / X.shape[0]


def backward(W, X, y):
    dW = np.zeros_like(W)
    for i in range(X.shape[0]):
        s = X[i] @ W
        p = np.exp(s - s.max())
        p /= p.sum()
        for j in range(W.shape[1]):
            dW[:, j] += (p[j] - (j == y[i])) * X[i]
    return {"W": dW / X.shape[0]}
