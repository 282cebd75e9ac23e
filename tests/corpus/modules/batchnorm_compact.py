"""Batch normalisation, the simplified one-line backward derived on paper."""

import numpy as np

EPS = 1e-5
SHAPES = {"x": (6, 4), "gamma": (4,), "beta": (4,)}


def forward(x, gamma, beta):
    mu = np.mean(x, axis=0)
    var = np.var(x, axis=0)
    xhat = (x - mu) / np.sqrt(var + EPS)
    return gamma * xhat + beta, (xhat, gamma, var)


def backward(dout, cache):
    xhat, gamma, var = cache
    n = dout.shape[0]
    dgamma = (dout * xhat).sum(axis=0)
    dbeta = dout.sum(axis=0)
    dxhat = dout * gamma
    dx = (n * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0))
    dx /= n * np.sqrt(var + EPS)
    return dx, dgamma, dbeta
