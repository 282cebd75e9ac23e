"""Three sigmoid layers and the delta rule (003 "backpropagation"), E = 1/2 ||X3 - T||^2.

The post derives dE/dW3 = X2^T delta3 and dE/dW2 = X1^T delta2 correctly; for W1 it prints
[W2^T delta2 o f1'(X0 W1)] X0^T, whose products do not even multiply for these shapes. Here
W1 follows the same delta rule: delta1 = (delta2 W2^T) o f1'(X0 W1), dE/dW1 = X0^T delta1.
T holds targets in [0, 1] (data, not checked), drawn by ``inputs(rng)``.

Expected: ``derive verify examples/three_layer.py`` -> W1, W2, W3 ok (exit 0).
"""

import numpy as np

SHAPES = {"X0": (2, 3), "T": (2, 2), "W1": (3, 4), "W2": (4, 3), "W3": (3, 2)}


def inputs(rng):
    return {"T": rng.uniform(size=(2, 2))}


def f(x):
    return 1 / (1 + np.exp(-x))


def df(x):
    return f(x) * (1 - f(x))


def forward(X0, T, W1, W2, W3):
    X1 = f(X0 @ W1)
    X2 = f(X1 @ W2)
    X3 = f(X2 @ W3)
    E = 0.5 * np.sum((X3 - T) ** 2)
    return E


def backward(X0, T, W1, W2, W3):
    X1 = f(X0 @ W1)
    X2 = f(X1 @ W2)
    X3 = f(X2 @ W3)
    delta3 = (X3 - T) * df(X2 @ W3)
    delta2 = (delta3 @ W3.T) * df(X1 @ W2)
    delta1 = (delta2 @ W2.T) * df(X0 @ W1)
    return {"W1": X0.T @ delta1, "W2": X1.T @ delta2, "W3": X2.T @ delta3}
