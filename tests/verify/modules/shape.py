"""Diagnosis 'shape': the right numbers, flattened to (6,) for a (3, 2) weight."""

import numpy as np

SHAPES = {"X": (4, 3), "W": (3, 2)}


def forward(X, W):
    L = np.sum(np.tanh(X @ W))
    return L


def backward(X, W):
    dLdN = 1 - np.tanh(X @ W) ** 2
    return {"W": (X.T @ dLdN).reshape(6)}
