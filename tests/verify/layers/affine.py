"""An affine layer as course code writes it: forward returns (out, cache), backward(dout,
cache) returns the gradients in the order of forward's arguments."""

import numpy as np

SHAPES = {"x": (4, 5), "w": (5, 3), "b": (3,)}


def forward(x, w, b):
    out = x @ w + b
    cache = (x, w, b)
    return out, cache


def backward(dout, cache):
    x, w, b = cache
    dx = dout @ w.T
    dw = x.T @ dout
    db = np.sum(dout, axis=0)
    return dx, dw, db
