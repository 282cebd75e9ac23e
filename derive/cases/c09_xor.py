"""The XOR network with hand-set weights (002, "Solving XOR with a Neural Network")."""

from __future__ import annotations

import numpy as np

from derive.cases import Case
from derive.numeric import doc_nets as D
from derive.numeric.functions import sigmoid

SRC = "002_04ad88c71b3d2d48.txt Solving XOR with a Neural Network"


def xor(X, T, W1, B1, W2, B2):
    H = sigmoid(X @ W1 + B1)
    Y = sigmoid(H @ W2 + B2)
    E = 0.5 * np.sum(np.power(Y - T, 2))
    return E


def point() -> dict[str, np.ndarray]:
    return {**D.xor_inputs(), **D.xor_weights()}


CASES = (
    Case(
        "xor", "XOR with the weights (20, 20, -10), (-20, -20, 30), (20, 20, -30)", SRC,
        r"H = \sigma(X W_1 + B_1), Y = \sigma(H W_2 + B_2), E = \tfrac{1}{2}\lVert Y - T \rVert^2",
        xor, ("W1", "B1", "W2", "B2"), point,
        hand=D.xor_gradients,
        extra={"truth_table": True},
    ),
)
