"""Linear regression as a network, corrected (000 §1.3): N = X @ W, P = N + B, L = mean((y - P)^2).

The documents' ``loss_gradients`` with the two corrections: dLdP carries the 2/N of the mean,
and dLdB keeps B's (1, 1) shape (``keepdims=True``). y is data, so it is not checked.

Expected: ``derive verify examples/linear_regression.py`` -> W ok, B ok (exit 0).
"""

import numpy as np

SHAPES = {"X": (8, 3), "y": (8, 1), "W": (3, 1), "B": (1, 1)}


def forward(X, y, W, B):
    N = X @ W
    P = N + B
    L = np.mean(np.power(y - P, 2))
    return L


def backward(X, y, W, B):
    N = X @ W
    P = N + B
    dLdP = -2 * (y - P) / y.shape[0]
    dPdN = np.ones_like(N)
    dPdB = np.ones_like(B)
    dLdN = dLdP * dPdN
    dNdW = X.T
    dLdW = dNdW @ dLdN
    dLdB = (dLdP * dPdB).sum(axis=0, keepdims=True)
    return {"W": dLdW, "B": dLdB}
