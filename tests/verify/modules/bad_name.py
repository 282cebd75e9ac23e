"""backward returns a gradient for 'Z', which forward does not take."""

import numpy as np

SHAPES = {"X": (3, 2), "W": (2, 1)}


def forward(X, W):
    L = np.sum(X @ W)
    return L


def backward(X, W):
    return {"W": X.T @ np.ones((3, 1)), "Z": np.zeros(3)}
