"""The two-layer network at a real size: batch n = 1024, d = 13 features, h = 64 hidden units.

The peers' benchmark (issue 5): X @ W1 + B1 -> sigmoid -> @ W2 + B2 -> MSE, 961 parameters.
The symbolic work does not grow with n, every entry of every gradient is compared, and finite
differences validate along random directions and on a sample of entries.

Expected: ``time derive verify examples/two_layer_big.py`` -> W1, B1, W2, B2 ok (exit 0), in
well under 3 s including imports, with Taylor remainder slopes of about 2. ``--fd all`` adds
per-entry differences of all 961 entries (only the slice of the graph each perturbation
changes is recomputed); benchmarks/peers.py compares both with the peer tools.
"""

import numpy as np

N, D, H = 1024, 13, 64
SHAPES = {"X": (N, D), "y": (N, 1), "W1": (D, H), "B1": (1, H), "W2": (H, 1), "B2": (1, 1)}


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def forward(X, y, W1, B1, W2, B2):
    M1 = X @ W1
    N1 = M1 + B1
    O1 = sigmoid(N1)
    M2 = O1 @ W2
    P = M2 + B2
    L = np.mean((y - P) ** 2)
    return L


def backward(X, y, W1, B1, W2, B2):
    N1 = X @ W1 + B1
    O1 = sigmoid(N1)
    P = O1 @ W2 + B2
    dLdP = -2 * (y - P) / y.shape[0]
    dLdN1 = (dLdP @ W2.T) * O1 * (1 - O1)
    return {
        "W1": X.T @ dLdN1,
        "B1": dLdN1.sum(axis=0, keepdims=True),
        "W2": O1.T @ dLdP,
        "B2": dLdP.sum(axis=0, keepdims=True),
    }
