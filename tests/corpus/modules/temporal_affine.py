"""Temporal affine layer: the same affine map at every time step of an (N, T, D) input."""


SHAPES = {"x": (2, 3, 4), "w": (4, 5), "b": (5,)}


def forward(x, w, b):
    return x @ w + b, (x, w)


def backward(dout, cache):
    x, w = cache
    n, t, d = x.shape
    dx = dout @ w.T
    dw = x.reshape(n * t, d).T @ dout.reshape(n * t, -1)
    db = dout.sum(axis=(0, 1))
    return dx, dw, db
