"""Word embedding; mistake: dW[ids] += dout is buffered, so a word used twice in the batch
gets only one of its gradients."""

import numpy as np

SHAPES = {"W": (5, 3)}


def inputs(rng):
    return {"ids": np.array([[0, 2, 2], [4, 0, 1]])}


def forward(W, ids):
    return W[ids], ids


def backward(dout, cache):
    ids = cache
    dW = np.zeros((5, 3))
    dW[ids] += dout
    return (dW,)
