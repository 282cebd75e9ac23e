"""Diagnosis 'nondifferentiable': a tie in np.maximum; the backward sends it all to one side."""

import numpy as np

SHAPES = {"a": (2, 2), "b": (2, 2)}


def inputs(rng):
    a = np.array([[1.0, 2.0], [-1.0, 0.5]])
    b = np.array([[1.0, 0.0], [3.0, 0.5]])  # ties at (0, 0) and (1, 1)
    return {"a": a, "b": b}


def forward(a, b):
    L = np.sum(np.maximum(a, b) ** 2)
    return L


def backward(a, b):
    m = np.maximum(a, b)
    take_a = a >= b
    return {"a": 2 * m * take_a, "b": 2 * m * ~take_a}
