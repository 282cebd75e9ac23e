"""The two-layer network (000 §1.4, 001 §1.4): X @ W1 + B1 -> sigma -> @ W2 + B2 -> MSE."""

from __future__ import annotations

import numpy as np

from derive.cases import Case
from derive.numeric import documents as D
from derive.numeric.functions import sigmoid

SRC = "000_c5d3501ff112bbd5.txt §1.4 Improved model: Neural Network"
SEED = 2021  # any fixed seed; the documents' own point is a Boston batch
SHAPE = (5, 3, 4)  # batch n, features d, hidden h: all different, so shape mistakes show


def two_layer(X, y, W1, B1, W2, B2):
    M1 = X @ W1
    N1 = M1 + B1
    O1 = sigmoid(N1)
    M2 = O1 @ W2
    P = M2 + B2
    L = np.mean(np.power(y - P, 2))
    return L


def point() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(SEED)
    n, d, h = SHAPE
    return {"X": rng.standard_normal((n, d)), "y": rng.standard_normal((n, 1)),
            "W1": rng.standard_normal((d, h)), "B1": rng.standard_normal((1, h)),
            "W2": rng.standard_normal((h, 1)), "B2": rng.standard_normal((1, 1))}


CASES = (
    Case(
        "two-layer", "The two-layer network", SRC,
        r"M_1 = \nu(X, W_1), N_1 = \alpha(M_1, B_1), O_1 = \sigma(N_1), M_2 = \nu(O_1, W_2), "
        r"P = \alpha(M_2, B_2), L = \Lambda(P, y)",
        two_layer, ("W1", "B1", "W2", "B2"), point,
        hand=lambda **a: D.two_layer_gradients(**a),
        as_printed=lambda **a: D.two_layer_gradients_as_printed(**a),
    ),
)
