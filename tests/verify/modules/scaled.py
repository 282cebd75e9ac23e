"""Diagnosis 'scaled', factor 8: mean over a batch of 8 whose 1/N the backward forgets."""

import numpy as np

SHAPES = {"X": (8, 3), "y": (8, 1), "W": (3, 1)}


def forward(X, y, W):
    P = X @ W
    L = np.mean((y - P) ** 2)
    return L


def backward(X, y, W):
    P = X @ W
    dLdP = -2 * (y - P)  # the mean's 1/N is missing
    return {"W": X.T @ dLdP}
