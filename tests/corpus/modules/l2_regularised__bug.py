"""MSE plus an L2 penalty; mistake: the penalty's gradient is lambd * W (the 1/m dropped)."""

import numpy as np

LAMBD = 0.7
SHAPES = {"W": (1, 4), "X": (4, 6), "Y": (1, 6), "b": (1, 1)}


def forward(W, X, Y, b):
    m = X.shape[1]
    A = W @ X + b
    return np.sum((A - Y) ** 2) / (2 * m) + LAMBD / (2 * m) * np.sum(np.square(W))


def backward(W, X, Y, b):
    m = X.shape[1]
    dA = (W @ X + b - Y) / m
    return {"W": dA @ X.T + LAMBD * W, "b": np.sum(dA, axis=1, keepdims=True)}
