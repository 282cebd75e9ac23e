"""Naive convolution with loops; mistake: the bias gradient sums over the batch only."""

import numpy as np

SHAPES = {"x": (2, 2, 4, 4), "w": (2, 2, 3, 3), "b": (2,)}


def forward(x, w, b):
    n_, c_, h_, w_ = x.shape
    f_, _, kh, kw = w.shape
    oh, ow = h_ - kh + 1, w_ - kw + 1
    out = np.zeros((n_, f_, oh, ow))
    for n in range(n_):
        for f in range(f_):
            for i in range(oh):
                for j in range(ow):
                    out[n, f, i, j] = np.sum(x[n, :, i:i + kh, j:j + kw] * w[f]) + b[f]
    return out, (x, w, b)


def backward(dout, cache):
    x, w, b = cache
    dx, dw = np.zeros_like(x), np.zeros_like(w)
    db = dout.sum(axis=0)
    kh, kw = w.shape[2:]
    for n in range(x.shape[0]):
        for f in range(w.shape[0]):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    dx[n, :, i:i + kh, j:j + kw] += w[f] * dout[n, f, i, j]
                    dw[f] += x[n, :, i:i + kh, j:j + kw] * dout[n, f, i, j]
    return dx, dw, db
