"""Diagnosis 'transposed': a square weight's gradient returned as its transpose."""

import numpy as np

SHAPES = {"X": (4, 3), "W": (3, 3)}


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def forward(X, W):
    S = sigmoid(X @ W)
    L = np.sum(S)
    return L


def backward(X, W):
    S = sigmoid(X @ W)
    dLdN = S * (1 - S)
    return {"W": dLdN.T @ X}  # (X.T @ dLdN).T
