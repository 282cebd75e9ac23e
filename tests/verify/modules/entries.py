"""Diagnosis 'entries': one entry, W[3, 7], off by 1e-3; the verdict must name it."""

import numpy as np

SHAPES = {"X": (6, 5), "W": (5, 9)}


def forward(X, W):
    L = np.sum(np.tanh(X @ W))
    return L


def backward(X, W):
    dW = X.T @ (1 - np.tanh(X @ W) ** 2)
    dW[3, 7] += 1e-3
    return {"W": dW, "X": (1 - np.tanh(X @ W) ** 2) @ W.T}
