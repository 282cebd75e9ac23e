"""log of standard-normal draws: forward is NaN unless inputs(rng) keeps x positive."""

import numpy as np

SHAPES = {"x": (4,)}


def forward(x):
    L = np.sum(np.log(x))
    return L


def backward(x):
    return {"x": 1 / x}
