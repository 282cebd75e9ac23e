"""A row softmax whose backward sums the Jacobian-vector product over the wrong axis."""

import numpy as np

SHAPES = {"z": (5, 4)}


def forward(z):
    e = np.exp(z - np.max(z, axis=1, keepdims=True))
    p = e / np.sum(e, axis=1, keepdims=True)
    return p


def backward(dout, z):
    e = np.exp(z - np.max(z, axis=1, keepdims=True))
    p = e / np.sum(e, axis=1, keepdims=True)
    return {"z": p * (dout - np.sum(dout * p, axis=0, keepdims=True))}
