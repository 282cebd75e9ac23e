"""A from-scratch-book ReLU; mistake (as in a published version): the mask is always true
(x >= x.min()), so nothing is zeroed."""


SHAPES = {"x": (3, 5)}


def forward(x):
    out = x.copy()
    out[x <= 0] = 0
    return out, x


def backward(dout, cache):
    x = cache
    return (dout * (x >= x.min()),)
