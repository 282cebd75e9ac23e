"""SHAPES that do not multiply: X is 3x2 but W has 3 rows."""

import numpy as np

SHAPES = {"X": (3, 2), "W": (3, 1)}


def forward(X, W):
    L = np.sum(X @ W)
    return L


def backward(X, W):
    return {"W": X.T @ np.ones((3, 1))}
