"""Temporal softmax loss: integer labels per time step and a boolean mask of real tokens."""

import numpy as np

SHAPES = {"x": (2, 3, 4)}


def inputs(rng):
    return {"y": rng.integers(0, 4, size=(2, 3)),
            "mask": np.array([[True, True, False], [True, False, False]])}


def forward(x, y, mask):
    n, t, v = x.shape
    flat = x.reshape(n * t, v)
    flat = flat - flat.max(axis=1, keepdims=True)
    logp = flat - np.log(np.exp(flat).sum(axis=1, keepdims=True))
    picked = logp[np.arange(n * t), y.reshape(n * t)]
    return -np.sum(picked * mask.reshape(n * t)) / n


def backward(x, y, mask):
    n, t, v = x.shape
    flat = x.reshape(n * t, v)
    p = np.exp(flat - flat.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(n * t), y.reshape(n * t)] -= 1
    p *= mask.reshape(n * t)[:, None] / n
    return {"x": p.reshape(n, t, v)}
