"""One LSTM step: gates from one affine map split four ways; returns the next hidden state
and cell together, concatenated on the feature axis."""

import numpy as np

SHAPES = {"x": (2, 3), "h": (2, 2), "c": (2, 2), "Wx": (3, 8), "Wh": (2, 8), "b": (8,)}


def _sig(a):
    return 1 / (1 + np.exp(-a))


def forward(x, h, c, Wx, Wh, b):
    a = x @ Wx + h @ Wh + b
    i, f, o, g = np.split(a, 4, axis=1)
    next_c = _sig(f) * c + _sig(i) * np.tanh(g)
    next_h = _sig(o) * np.tanh(next_c)
    return np.concatenate([next_h, next_c], axis=1)


def backward(dout, x, h, c, Wx, Wh, b):
    a = x @ Wx + h @ Wh + b
    ai, af, ao, ag = np.split(a, 4, axis=1)
    i, f, o, g = _sig(ai), _sig(af), _sig(ao), np.tanh(ag)
    next_c = f * c + i * g
    dh_next, dc_next = np.split(dout, 2, axis=1)
    tc = np.tanh(next_c)
    dc = dc_next + dh_next * o * (1 - tc**2)
    da = np.concatenate([dc * g * i * (1 - i), dc * c * f * (1 - f),
                         dh_next * tc * o * (1 - o), dc * i * (1 - g**2)], axis=1)
    return {"x": da @ Wx.T, "h": da @ Wh.T, "c": dc * f, "Wx": x.T @ da, "Wh": h.T @ da,
            "b": da.sum(axis=0)}
