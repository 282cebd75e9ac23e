"""np.sort has no tracer mapping: the verdict comes from finite differences alone (right)."""

import numpy as np

SHAPES = {"x": (5,), "w": (5,)}


def forward(x, w):
    L = np.sum(w * np.sort(x))
    return L


def backward(x, w):
    order = np.argsort(x)
    dx = np.empty_like(x)
    dx[order] = w
    return {"x": dx, "w": np.sort(x)}
