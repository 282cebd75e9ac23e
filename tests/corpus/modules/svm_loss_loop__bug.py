"""Multiclass SVM loss with loops; mistake: the regularisation gradient is left out."""

import numpy as np

REG = 0.05
SHAPES = {"W": (4, 3)}


def inputs(rng):
    return {"X": rng.standard_normal((5, 4)), "y": rng.integers(0, 3, size=5)}


def forward(W, X, y):
    loss = 0.0
    for i in range(X.shape[0]):
        s = X[i] @ W
        for j in range(W.shape[1]):
            if j == y[i]:
                continue
            loss += np.maximum(0.0, s[j] - s[y[i]] + 1.0)
    return loss / X.shape[0] + REG * np.sum(W * W)


def backward(W, X, y):
    dW = np.zeros(W.shape)
    for i in range(X.shape[0]):
        s = X[i] @ W
        for j in range(W.shape[1]):
            if j == y[i]:
                continue
            if s[j] - s[y[i]] + 1.0 > 0:
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]
    return {"W": dW / X.shape[0]}
