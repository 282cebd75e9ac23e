"""forward raises a RuntimeError of its own on line 10."""

import numpy as np

SHAPES = {"x": (3,)}


def forward(x):
    if x.shape[0] == 3:
        raise RuntimeError("the user's own failure")
    return np.sum(x)


def backward(x):
    return {"x": np.ones(3)}
