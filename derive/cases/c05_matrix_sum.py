"""Matrices: L = sum(sigma(X @ W)).

Source: 000 §1.2.8, 002 "Computational Graph with Two 2D Matrix Inputs".
"""

from __future__ import annotations

import numpy as np

from derive.cases import Case, Printed
from derive.numeric import documents as D
from derive.numeric.functions import sigmoid

SRC = "000_c5d3501ff112bbd5.txt §1.2.8 Functions with matrix multiplication"


def matrix_sum(X, W):
    N = np.dot(X, W)
    S = sigmoid(N)
    L = np.sum(S)
    return L


CASES = (
    Case(
        "matrix-sum", "L = sum(sigma(X @ W)) for 3x3 and 3x2 matrices", SRC,
        r"L = \Lambda(\sigma(\nu(X, W))), X 3x3 and W 3x2 drawn after np.random.seed(190204)",
        matrix_sum, ("X", "W"), D.doc_inputs_matrix_sum,
        hand=D.matrix_function_backward_sum_hand,
        as_printed=lambda X, W: D.matrix_function_backward_sum_1(X, W, D.doc_sigmoid),
        as_printed_forward=lambda X, W: D.matrix_function_forward_sum(X, W, D.doc_sigmoid),
        printed=(
            Printed("forward", 2.3755, SRC, digits=4),
            Printed("X", [[0.2488887, -0.37478057, 0.01121962],
                          [0.12604152, -0.27807404, -0.13945837],
                          [0.22992798, -0.36623443, -0.02252592]], SRC, digits=8,
                    how="deriv, delta = 0.001"),
        ),
    ),
)
