"""np.cumsum has no tracer mapping; the backward doubles the gradient: numeric-only 'scaled'."""

import numpy as np

SHAPES = {"x": (4,)}


def forward(x):
    L = np.sum(np.cumsum(x) ** 2)
    return L


def backward(x):
    c = np.cumsum(x)
    g = np.cumsum((2 * c)[::-1])[::-1]
    return {"x": 2 * g}
