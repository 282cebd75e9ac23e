"""Diagnosis 'sign', factor -1: the gradient of sum(tanh(X @ W)) with its sign flipped."""

import numpy as np

SHAPES = {"X": (4, 3), "W": (3, 2)}


def forward(X, W):
    S = np.tanh(X @ W)
    L = np.sum(S)
    return L


def backward(X, W):
    S = np.tanh(X @ W)
    dLdN = 1 - S**2
    return {"W": -(X.T @ dLdN)}
