"""Layer normalisation over the features of each row, arrays passed by name."""

import numpy as np

EPS = 1e-5
SHAPES = {"x": (4, 6), "g": (6,), "b": (6,)}


def forward(x, g, b):
    mu = x.mean(axis=1, keepdims=True)
    sd = np.sqrt(x.var(axis=1, keepdims=True) + EPS)
    return g * (x - mu) / sd + b


def backward(dout, x, g, b):
    d = x.shape[1]
    mu = x.mean(axis=1, keepdims=True)
    sd = np.sqrt(x.var(axis=1, keepdims=True) + EPS)
    xhat = (x - mu) / sd
    dxhat = dout * g
    dx = (dxhat - dxhat.mean(axis=1, keepdims=True)
          - xhat * (dxhat * xhat).sum(axis=1, keepdims=True) / d) / sd
    return {"x": dx, "g": (dout * xhat).sum(axis=0), "b": dout.sum(axis=0)}
