"""ReLU layer; mistake: the mask is taken of the upstream gradient, not of the input."""

import numpy as np

SHAPES = {"x": (4, 5)}


def forward(x):
    return np.maximum(0, x), x


def backward(dout, cache):
    dx = dout * (dout > 0)  # should be dout * (x > 0)
    return (dx,)
