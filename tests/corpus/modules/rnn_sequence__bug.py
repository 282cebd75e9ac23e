"""A vanilla RNN over T steps; mistake: the gradient flowing back from the next step is
dropped (each step sees only its own upstream gradient)."""

import numpy as np

SHAPES = {"x": (2, 3, 3), "h0": (2, 4), "Wx": (3, 4), "Wh": (4, 4), "b": (4,)}


def forward(x, h0, Wx, Wh, b):
    n, t_, _ = x.shape
    h = np.zeros((n, t_, h0.shape[1]))
    prev = h0
    for t in range(t_):
        prev = np.tanh(x[:, t, :] @ Wx + prev @ Wh + b)
        h[:, t, :] = prev
    return h, (x, h0, Wx, Wh, h)


def backward(dout, cache):
    x, h0, Wx, Wh, h = cache
    dx = np.zeros_like(x)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wh.shape[0])
    dprev = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        prev = h[:, t - 1, :] if t > 0 else h0
        da = dout[:, t, :] * (1 - h[:, t, :] ** 2)
        dx[:, t, :] = da @ Wx.T
        dWx += x[:, t, :].T @ da
        dWh += prev.T @ da
        db += da.sum(axis=0)
        dprev = da @ Wh.T
    return dx, dprev, dWx, dWh, db
