"""np.sort has no tracer mapping; the backward doubles the gradient: numeric-only 'scaled'."""

import numpy as np

SHAPES = {"x": (4,)}


def forward(x):
    L = np.sum(np.sort(x) ** 2)
    return L


def backward(x):
    return {"x": 2 * (2 * x)}
