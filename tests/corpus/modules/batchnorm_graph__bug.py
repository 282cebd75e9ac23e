"""Batch normalisation, graph-form backward; mistake: the path through the mean is dropped
(dx = dxc, as if mu were a constant)."""

import numpy as np

EPS = 1e-5
SHAPES = {"x": (5, 3), "gamma": (3,), "beta": (3,)}


def forward(x, gamma, beta):
    mu = x.mean(axis=0)
    xc = x - mu
    var = np.mean(xc**2, axis=0)
    inv = 1.0 / np.sqrt(var + EPS)
    xhat = xc * inv
    out = gamma * xhat + beta
    return out, (xc, inv, xhat, gamma)


def backward(dout, cache):
    xc, inv, xhat, gamma = cache
    n = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * xhat, axis=0)
    dxhat = dout * gamma
    dinv = np.sum(dxhat * xc, axis=0)
    dvar = dinv * -0.5 * inv**3
    dx = dxhat * inv + 2 * xc * dvar / n
    return dx, dgamma, dbeta
