"""Linear regression as a network: N = X @ W, P = N + B, L = mean((y - P)^2) (000 §1.3)."""

from __future__ import annotations

import numpy as np

from derive.cases import Case
from derive.numeric import documents as D

SRC = "000_c5d3501ff112bbd5.txt §1.3 Linear Regression as Neural Network"
SEED = 2020  # any fixed seed: the documents train on Boston batches, not on a printed point
SHAPE = (5, 3)  # batch n = 5, features d = 3: small enough to prove, n != d so a missing 1/n shows


def linear(X, y, W, B):
    N = X @ W
    P = N + B
    L = np.mean(np.power(y - P, 2))
    return L


def point() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(SEED)
    n, d = SHAPE
    return {"X": rng.standard_normal((n, d)), "y": rng.standard_normal((n, 1)),
            "W": rng.standard_normal((d, 1)), "B": rng.standard_normal((1, 1))}


CASES = (
    Case(
        "linear", "Linear regression: mean squared error of X @ W + B", SRC,
        r"N = \nu(X, W), P = \alpha(N, B), L = \Lambda(P, y) = \operatorname{mean}((y - P)^2)",
        linear, ("W", "B"), point,
        hand=lambda X, y, W, B: D.linreg_gradients(X, y, W, B),
        as_printed=lambda X, y, W, B: D.linreg_gradients_as_printed(X, y, W, B),
    ),
)
