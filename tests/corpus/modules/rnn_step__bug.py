"""One RNN step; mistake: tanh's derivative written as 1 - h instead of 1 - h**2."""

import numpy as np

SHAPES = {"x": (3, 4), "prev_h": (3, 5), "Wx": (4, 5), "Wh": (5, 5), "b": (5,)}


def forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)
    return next_h, (x, prev_h, Wx, Wh, next_h)


def backward(dout, cache):
    x, prev_h, Wx, Wh, next_h = cache
    da = dout * (1 - next_h)
    return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)
