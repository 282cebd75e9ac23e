"""ReLU layer with a cache of its input."""

import numpy as np

SHAPES = {"x": (4, 5)}


def forward(x):
    return np.maximum(0, x), x


def backward(dout, cache):
    x = cache
    dx = dout * (x > 0)
    return (dx,)
