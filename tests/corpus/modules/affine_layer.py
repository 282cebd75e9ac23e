"""Fully connected layer, course style: inputs of any rank flattened to rows."""


SHAPES = {"x": (3, 2, 2), "w": (4, 5), "b": (5,)}


def forward(x, w, b):
    rows = x.reshape(x.shape[0], -1)
    out = rows @ w + b
    return out, (x, w, b)


def backward(dout, cache):
    x, w, b = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db
