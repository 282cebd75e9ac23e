"""A from-scratch-book ReLU operation: the mask of non-positive inputs zeroes the gradient."""


SHAPES = {"x": (3, 5)}


def forward(x):
    out = x.copy()
    out[x <= 0] = 0
    return out, x <= 0


def backward(dout, cache):
    dx = dout.copy()
    dx[cache] = 0
    return (dx,)
