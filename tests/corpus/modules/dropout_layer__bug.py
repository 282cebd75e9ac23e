"""Inverted dropout; mistake: backward forgets to divide by the keep probability."""


P_KEEP = 0.6
SHAPES = {"x": (4, 6)}


def inputs(rng):
    return {"mask": rng.random((4, 6)) < P_KEEP}


def forward(x, mask):
    out = x * mask / P_KEEP
    return out, mask


def backward(dout, cache):
    mask = cache
    return (dout * mask,)
