"""Three sigmoid layers (003 "backpropagation") with dE/dW1 as the post prints it.

The post writes dE/dW1 = [W2^T delta2 o f1'(X0 W1)] X0^T: both products are in the wrong
order. With batch 2, widths 3, 4, 3, 2 the first product does not even multiply, so the
backward pass raises, and ``derive verify`` says where, in one line, with exit status 2.
(``examples/three_layer.py`` is the corrected pass.)

Expected: ``derive verify examples/three_layer_as_printed.py`` -> "backward raised ValueError:
matmul: ... (three_layer_as_printed.py:<line>)" (exit 2).
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
    dW1 = (W2.T @ delta2 * df(X0 @ W1)) @ X0.T
    return {"W1": dW1, "W2": X1.T @ delta2, "W3": X2.T @ delta3}
