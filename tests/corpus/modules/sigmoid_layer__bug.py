"""Sigmoid layer; mistake: the derivative written as s * (1 + s)."""

import numpy as np

SHAPES = {"z": (3, 4)}


def forward(z):
    s = 1 / (1 + np.exp(-z))
    return s, s


def backward(dout, cache):
    s = cache
    return (dout * s * (1 + s),)
