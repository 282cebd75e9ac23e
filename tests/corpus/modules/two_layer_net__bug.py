"""A two-layer net's loss; mistake: the ReLU is forgotten on the way back (dh not masked)."""

import numpy as np

REG = 0.05
SHAPES = {"W1": (4, 5), "b1": (5,), "W2": (5, 3), "b2": (3,)}


def inputs(rng):
    return {"X": rng.standard_normal((6, 4)), "y": rng.integers(0, 3, size=6)}


def forward(W1, b1, W2, b2, X, y):
    h = np.maximum(0, X @ W1 + b1)
    s = h @ W2 + b2
    s = s - s.max(axis=1, keepdims=True)
    p = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    n = X.shape[0]
    data = -np.log(p[np.arange(n), y]).mean()
    return data + 0.5 * REG * (np.sum(W1 * W1) + np.sum(W2 * W2))


def backward(W1, b1, W2, b2, X, y):
    n = X.shape[0]
    h = np.maximum(0, X @ W1 + b1)
    s = h @ W2 + b2
    p = np.exp(s - s.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    ds = p.copy()
    ds[np.arange(n), y] -= 1
    ds /= n
    dh = ds @ W2.T
    return {"W1": X.T @ dh + REG * W1, "b1": dh.sum(axis=0),
            "W2": h.T @ ds + REG * W2, "b2": ds.sum(axis=0)}
