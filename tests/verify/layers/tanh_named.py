"""A tanh layer whose backward takes the upstream gradient first and the arrays by name."""

import numpy as np

SHAPES = {"x": (6, 4)}


def forward(x):
    h = np.tanh(x)
    return h


def backward(dy, x):
    h = np.tanh(x)
    return {"x": dy * (1 - h**2)}
