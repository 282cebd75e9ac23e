"""backward returns a tuple, as the documents' multiple-inputs example does, not a dict."""

import numpy as np

SHAPES = {"x": (3,), "y": (3,)}


def forward(x, y):
    L = np.sum(x * y)
    return L


def backward(x, y):
    return y, x
