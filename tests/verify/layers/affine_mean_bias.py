"""The affine layer with a realistic slip: the bias gradient averaged over the batch."""

import numpy as np

SHAPES = {"x": (4, 5), "w": (5, 3), "b": (3,)}


def forward(x, w, b):
    out = x @ w + b
    return out, (x, w, b)


def backward(dout, cache):
    x, w, b = cache
    return dout @ w.T, x.T @ dout, np.mean(dout, axis=0)
