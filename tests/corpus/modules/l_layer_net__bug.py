"""An L-layer network; mistake: the bias gradients are not divided by m."""

import numpy as np

SHAPES = {"W1": (4, 3), "b1": (4, 1), "W2": (3, 4), "b2": (3, 1), "W3": (1, 3),
          "b3": (1, 1)}


def inputs(rng):
    return {"X": rng.standard_normal((3, 5)), "Y": (rng.random((1, 5)) < 0.5).astype(float)}


def forward(W1, b1, W2, b2, W3, b3, X, Y):
    A = X
    for W, b in ((W1, b1), (W2, b2)):
        A = np.maximum(0, W @ A + b)
    AL = 1 / (1 + np.exp(-(W3 @ A + b3)))
    m = Y.shape[1]
    return -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m


def backward(W1, b1, W2, b2, W3, b3, X, Y):
    m = Y.shape[1]
    params = [(W1, b1), (W2, b2), (W3, b3)]
    caches, A = [], X
    for W, b in params[:-1]:
        Z = W @ A + b
        caches.append((A, Z))
        A = np.maximum(0, Z)
    AL = 1 / (1 + np.exp(-(W3 @ A + b3)))
    caches.append((A, None))
    dZ = AL - Y
    grads = {}
    for layer in (3, 2, 1):
        A_prev, _ = caches[layer - 1]
        W = params[layer - 1][0]
        grads[f"W{layer}"] = dZ @ A_prev.T / m
        grads[f"b{layer}"] = np.sum(dZ, axis=1, keepdims=True)
        if layer > 1:
            dA = W.T @ dZ
            dZ = dA * (caches[layer - 2][1] > 0)
    return grads
