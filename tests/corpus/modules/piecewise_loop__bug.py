"""The Python-if leaky penalty; mistake: the quadratic branch's derivative written as x."""

import numpy as np

SHAPES = {"x": (6,)}


def forward(x):
    total = 0.0
    for v in x:
        if v > 0:
            total += v**2
        else:
            total += 0.1 * v
    return total


def backward(x):
    return {"x": np.where(x > 0, x, 0.1)}
