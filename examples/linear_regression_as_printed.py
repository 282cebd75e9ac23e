"""Linear regression as a network, the backward pass as printed in 000 §1.3 ``loss_gradients``.

Two mistakes: ``dLdP = -2 * (y - P)`` forgets the 1/N of ``np.mean``, so both gradients are N
times too large (N = 8 here), and ``(dLdP * dPdB).sum(axis=0)`` returns shape (1,) for the
(1, 1) bias.

Expected: ``derive verify examples/linear_regression_as_printed.py`` -> W wrong, scaled,
factor 8; B wrong, scaled, factor 8 (and its shape (1,) named in the message) (exit 1).
``--fix`` prints the right backward.
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
    dLdP = -2 * (y - P)
    dPdN = np.ones_like(N)
    dPdB = np.ones_like(B)
    dLdN = dLdP * dPdN
    dNdW = X.T
    # need to use matrix multiplication here, with dNdW on the left
    dLdW = dNdW @ dLdN
    # need to sum along dimension since b is added to every row
    dLdB = (dLdP * dPdB).sum(axis=0)
    return {"W": dLdW, "B": dLdB}
