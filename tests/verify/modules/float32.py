"""A right gradient computed in float32: judged with a float32 tolerance, and said so."""

import numpy as np

SHAPES = {"X": (6, 4), "W": (4, 3)}


def forward(X, W):
    L = np.sum(np.tanh(X @ W))
    return L


def backward(X, W):
    X32, W32 = X.astype(np.float32), W.astype(np.float32)
    dLdN = 1 - np.tanh(X32 @ W32) ** 2
    return {"W": X32.T @ dLdN}
