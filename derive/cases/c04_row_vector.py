"""A row vector through a weighted sum: sigma(X @ W).

Source: 000 §1.2.7, 002 "Functions with Multiple Vector Inputs".
"""

from __future__ import annotations

import numpy as np

from derive.cases import Case, Printed
from derive.numeric import documents as D
from derive.numeric.functions import sigmoid

SRC = "000_c5d3501ff112bbd5.txt §1.2.7 Functions with multiple vector inputs"


def row_vector(X, W):
    N = np.dot(X, W)
    S = sigmoid(N)
    return S


CASES = (
    Case(
        "row-vector", "sigma(X @ W) for a row vector", SRC,
        r"S = \sigma(\nu(X, W)), X 1x3 and W 3x1 drawn after np.random.seed(190203)",
        row_vector, ("X", "W"), D.doc_inputs_row_vector,
        hand=D.matrix_function_backward_hand,
        as_printed=lambda X, W: D.matrix_function_backward_1(X, W, D.doc_sigmoid),
        as_printed_forward=lambda X, W: D.matrix_forward_extra(X, W, D.doc_sigmoid),
        printed=(
            Printed("X-input", [[0.47231121, 0.61514271, -1.72622715]], SRC, digits=8),
            Printed("forward", [[0.89779986]], SRC, digits=8),
            Printed("X", [[0.08516695, -0.05574581, -0.11206627]], SRC, digits=8,
                    how="deriv, delta = 0.001"),
        ),
    ),
)
