"""Fails while importing, on line 5."""

import numpy as np

WEIGHTS = np.load("no-such-file.npy")


def forward(x):
    return np.sum(x)


def backward(x):
    return {"x": np.ones_like(x)}
