"""A ReLU layer evaluated exactly on its kink: L = sum(max(X @ W, 0)).

``inputs(rng)`` picks integer entries so that some of N = X @ W are exactly 0, where ReLU has
no derivative: the one-sided derivatives differ. The backward pass uses the usual mask
N > 0, which picks the left derivative there; that is a valid subgradient, so those entries
are ``nondifferentiable``, never ``wrong``.

Expected: ``derive verify examples/relu_kink.py`` -> X nondifferentiable, W nondifferentiable
(exit 0).
"""

import numpy as np

SHAPES = {"X": (3, 2), "W": (2, 2)}


def inputs(rng):
    X = np.array([[1.0, -1.0], [2.0, 1.0], [0.5, 3.0]])
    W = np.array([[1.0, -2.0], [1.0, 0.5]])  # N[0, 0] = 1 - 1 = 0: on the kink
    return {"X": X + 0 * rng.standard_normal(X.shape), "W": W}


def forward(X, W):
    N = X @ W
    S = np.maximum(N, 0)
    L = np.sum(S)
    return L


def backward(X, W):
    N = X @ W
    dLdN = (N > 0).astype(float)
    return {"X": dLdN @ W.T, "W": X.T @ dLdN}
