"""Sigmoid layer written the from-scratch-book way: the output is kept for backward."""

import numpy as np

SHAPES = {"z": (3, 4)}


def forward(z):
    s = 1 / (1 + np.exp(-z))
    return s, s


def backward(dout, cache):
    s = cache
    return (dout * s * (1 - s),)
