"""L = sum(sigma(X @ W)) for a 3x3 X and a 3x2 W (000 §1.2.8, 002 "Complex Computational Graph").

The documents' backward pass, written with the exact sigmoid derivative sigma (1 - sigma) where
they use the central difference ``deriv(sigma, N)``, and with dLdN (not dSdN) in both products,
as the note in 000 §1.2.8 says it should be. Both gradients are right.

Expected: ``derive verify examples/matrix_sum.py`` -> X ok, W ok (exit 0).
"""

import numpy as np

SHAPES = {"X": (3, 3), "W": (3, 2)}


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def forward(X, W):
    N = np.dot(X, W)
    S = sigmoid(N)
    L = np.sum(S)
    return L


def backward(X, W):
    N = np.dot(X, W)
    S = sigmoid(N)
    dLdS = np.ones_like(S)
    dSdN = S * (1 - S)
    dLdN = dLdS * dSdN
    dNdX = np.transpose(W, (1, 0))
    dNdW = np.transpose(X, (1, 0))
    dLdX = np.dot(dLdN, dNdX)
    dLdW = np.dot(dNdW, dLdN)
    return {"X": dLdX, "W": dLdW}
