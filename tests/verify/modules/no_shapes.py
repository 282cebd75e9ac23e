"""No SHAPES: the command line must give them with --shape."""

import numpy as np


def forward(X, W):
    L = np.sum(np.tanh(X @ W))
    return L


def backward(X, W):
    return {"W": X.T @ (1 - np.tanh(X @ W) ** 2)}
