"""Fully connected layer; mistake: the weight gradient multiplied in the wrong order."""


SHAPES = {"x": (3, 2, 2), "w": (4, 4), "b": (4,)}


def forward(x, w, b):
    rows = x.reshape(x.shape[0], -1)
    out = rows @ w + b
    return out, (x, w, b)


def backward(dout, cache):
    x, w, b = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = dout.T @ x.reshape(x.shape[0], -1)  # should be rows.T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db
