"""One ReLU layer and a sum of squares: the indicator mask of the ReLU's derivative."""

import numpy as np

SHAPES = {"X": (7, 3), "W": (3, 4), "V": (4, 1)}


def forward(X, W, V):
    Z = X @ W
    A = np.maximum(Z, 0)
    S = A @ V
    L = 0.5 * np.sum(S ** 2)
    return L
