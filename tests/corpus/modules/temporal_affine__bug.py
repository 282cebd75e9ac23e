"""Temporal affine layer; mistake: the bias gradient sums over the batch only, not over time."""


SHAPES = {"x": (2, 3, 4), "w": (4, 5), "b": (5,)}


def forward(x, w, b):
    return x @ w + b, (x, w)


def backward(dout, cache):
    x, w = cache
    n, t, d = x.shape
    dx = dout @ w.T
    dw = x.reshape(n * t, d).T @ dout.reshape(n * t, -1)
    db = dout.sum(axis=0)
    return dx, dw, db
