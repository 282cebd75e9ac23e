"""Diagnosis 'nondifferentiable': |x| at x = 0, where the backward returns sign(0) = 0."""

import numpy as np

SHAPES = {"x": (4,), "c": (4,)}


def inputs(rng):
    return {"x": np.array([0.0, 1.5, -2.0, 0.0]), "c": np.array([1.0, 2.0, 3.0, 0.5])}


def forward(x, c):
    L = np.sum(c * np.abs(x))
    return L


def backward(x, c):
    return {"x": c * np.sign(x)}
