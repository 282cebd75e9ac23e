"""A softmax layer; mistake: backward treats softmax as elementwise, s * (1 - s) * dout."""

import numpy as np

SHAPES = {"z": (3, 4)}


def forward(z):
    e = np.exp(z - np.max(z, axis=1, keepdims=True))
    s = e / np.sum(e, axis=1, keepdims=True)
    return s, s


def backward(dout, cache):
    s = cache
    return (s * (1 - s) * dout,)
