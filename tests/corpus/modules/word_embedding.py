"""Word embedding lookup: integer word ids (with repeats) index rows of W; backward
accumulates with np.add.at."""

import numpy as np

SHAPES = {"W": (5, 3)}


def inputs(rng):
    return {"ids": np.array([[0, 2, 2], [4, 0, 1]])}


def forward(W, ids):
    return W[ids], ids


def backward(dout, cache):
    ids = cache
    dW = np.zeros((5, 3))
    np.add.at(dW, ids, dout)
    return (dW,)
