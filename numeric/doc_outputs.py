"""Every number the documents' code cells print, with the documents' code that prints it.

One row per printed output (000 and 001 print the same cells; 001 adds the learned
coefficients). ``reproduce`` runs the documents' code (numeric/documents.py, numeric/train.py)
and returns the value; ``digits`` is how many decimals numpy printed (None: Python's full
repr). The tests assert every row reproduces; nothing here holds an answer but the print.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from derive.numeric import data as ND
from derive.numeric import documents as D
from derive.numeric import train as NT

S000, S001 = "000_c5d3501ff112bbd5.txt", "001_18c9884adda04527.txt"
CHAIN_2 = (D.doc_square, D.doc_sigmoid)
CHAIN_3 = (D.doc_leaky_relu, D.doc_square, D.doc_sigmoid)


@dataclass(frozen=True)
class Output:
    """One printed output: where, what, the number as printed, and the code that prints it."""

    source: str
    label: str
    printed: Any
    reproduce: Callable[[], Any]
    digits: int | None = None  # compared to this many decimals (None: every bit)
    note: str = ""
    lost_digit: bool = False  # the text extraction dropped one digit of a full repr

    def reproduced(self) -> Any:
        return self.reproduce()

    def matches(self) -> bool:
        """The documents' code prints this number: to the last digit, or to the digits shown."""
        got = np.asarray(self.reproduce(), dtype=np.float64)
        if self.lost_digit:
            full = repr(float(got))
            return any(full[:i] + full[i + 1:] == repr(float(self.printed))
                       for i in range(len(full)))
        want = np.asarray(self.printed, dtype=np.float64)
        if got.size != want.size:
            return False
        got = got.reshape(want.shape)
        if self.digits is None:
            return bool(np.array_equal(got, want))
        return bool(np.array_equal(np.round(got, self.digits), np.round(want, self.digits)))


def _manual() -> float:
    return (D.chain_length_2(CHAIN_2, 2 + 0.0001) - D.chain_length_2(CHAIN_2, 2 - 0.0001)) / 0.0002


def _add(dx: float = 0.0, dy: float = 0.0) -> Any:
    return D.multiple_inputs_add(np.array(3 + dx), np.array(4 + dy), D.doc_sigmoid)


def _add_back() -> tuple[Any, Any]:
    return D.multiple_inputs_add_backward(np.array(3), np.array(4), D.doc_sigmoid)


def _row() -> dict[str, np.ndarray]:
    return D.doc_inputs_row_vector()


def _row_bumped() -> Any:
    X, W = _row()["X"], _row()["W"]
    X_new = X.copy()
    X_new[:, 0] += 0.001
    return D.matrix_forward_extra(X_new, W, D.doc_sigmoid)


def _row_predicted() -> Any:
    X, W = _row()["X"], _row()["W"]
    back = D.matrix_function_backward_1(X, W, D.doc_sigmoid)["X"]
    return D.matrix_forward_extra(X, W, D.doc_sigmoid) + back[0][0] * 0.001


def _mat() -> dict[str, np.ndarray]:
    return D.doc_inputs_matrix_sum()


def _mat_step() -> float:
    X, W = _mat()["X"], _mat()["W"]
    X1 = X.copy()
    X1[0, 0] += 0.001
    return (D.matrix_function_forward_sum(X1, W, D.doc_sigmoid)
            - D.matrix_function_forward_sum(X, W, D.doc_sigmoid)) / 0.001


@cache
def _split() -> ND.Split:
    return ND.prepare(ND.load_boston())


@cache
def _trained(name: str) -> dict[str, Any]:
    """The documents' own training run (their gradients, seed, batch size, 10,000 steps)."""
    m = NT.model(name)
    s = _split()
    result = NT.train(m, s.X_train, s.y_train, m.as_printed, NT.DOC_CONFIG)
    return {"weights": result.weights, **NT.score(m, result.weights, s.X_test, s.y_test)}


def _least_squares() -> dict[str, float]:
    s = _split()
    p = NT.least_squares_predict(s.X_train, s.y_train, s.X_test)
    return {"mse": NT.mse(s.y_test, p), "r2": NT.r2(s.y_test, p)}


_C2 = f"{S000} §1.2.4 The Chain rule"
_C3 = f"{S000} §1.2.5 Slightly Longer Example"
_ADD = f"{S000} §1.2.6 Functions with Multiple Inputs"
_ROW = f"{S000} §1.2.7 Functions with multiple vector inputs"
_MAT = f"{S000} §1.2.8 Functions with matrix multiplication"
_LIN = f"{S000} §1.3 Linear Regression as Neural Network"
_NN = f"{S000} §1.4 Improved model: Neural Network"

OUTPUTS: tuple[Output, ...] = (
    Output(f"{S000} §1.2.2 Derivatives", "[4] deriv(square, 2)", 3.999999999995595,
           lambda: D.doc_deriv(D.doc_square, 2), lost_digit=True,
           note="the code gives 3.9999999999995595; the extraction lost one of its 9s"),
    Output(f"{S000} §1.2.3 Nested Functions", "[7] chain_length_2([square, sigmoid], 2)",
           0.9820137900379085, lambda: D.chain_length_2(CHAIN_2, 2)),
    Output(_C2, "[9] Forward", 0.9820137900379085, lambda: D.chain_length_2(CHAIN_2, 2)),
    Output(_C2, "[9] Backward", 0.0706508353807067, lambda: D.chain_deriv_2(CHAIN_2, 2)),
    Output(_C2, "[10] manual_deriv", 0.07065082585744342, _manual),
    Output(_C2, "[11] forward_pass_increase", 0.9820208539349344,
           lambda: D.chain_length_2(CHAIN_2, 2 + 0.0001)),
    Output(_C2, "[11] forward_manual", 0.9820208551204942,
           lambda: D.chain_length_2(CHAIN_2, 2) + _manual() * 0.0001),
    Output(_C3, "[14] Forward", 0.6547534606063192, lambda: D.chain_length_3(CHAIN_3, -4)),
    Output(_C3, "[14] Backward", -0.07233643296206184, lambda: D.chain_deriv_3(CHAIN_3, -4)),
    Output(_C3, "[15] forward_pass_increase", 0.6475757341144874,
           lambda: D.chain_length_3(CHAIN_3, -4 + 0.1)),
    Output(_C3, "[15] forward manual", 0.647519817310113,
           lambda: D.chain_length_3(CHAIN_3, -4) + D.chain_deriv_3(CHAIN_3, -4) * 0.1),
    Output(_ADD, "[18] forward pass", 0.9990889488055994, _add),
    Output(_ADD, "[18] backward pass", (0.0009102213310852036, 0.0009102213310852036),
           _add_back),
    Output(_ADD, "[19] forward pass (x + 0.001)", 0.9990898585726491, lambda: _add(dx=0.001)),
    Output(_ADD, "[19] forward pass (predicted)", 0.9990898590269305,
           lambda: _add() + _add_back()[0] * 0.001),
    Output(_ADD, "[20] forward pass (y + 0.001)", 0.9990898585726491, lambda: _add(dy=0.001)),
    Output(_ADD, "[20] forward pass (predicted)", 0.9990898590269305,
           lambda: _add() + _add_back()[1] * 0.001),
    Output(_ADD, "[21] forward pass (both + 0.001)", 0.9990907674320407,
           lambda: _add(0.001, 0.001)),
    Output(_ADD, "[21] forward pass (predicted)", 0.9990907692482616,
           lambda: _add() + _add_back()[0] * 0.001 + _add_back()[1] * 0.001),
    Output(_ROW, "X", [[0.47231121, 0.61514271, -1.72622715]], lambda: _row()["X"], digits=8),
    Output(_ROW, "Forward", [[0.89779986]],
           lambda: D.matrix_forward_extra(_row()["X"], _row()["W"], D.doc_sigmoid), digits=8),
    Output(_ROW, "Backward", [[0.08516695, -0.05574581, -0.11206627]],
           lambda: D.matrix_function_backward_1(_row()["X"], _row()["W"], D.doc_sigmoid)["X"],
           digits=8),
    Output(_ROW, "[25] forward pass (x1 + 0.001)", [[0.897885]], _row_bumped, digits=8),
    Output(_ROW, "[25] forward pass (predicted)", [[0.89788503]], _row_predicted, digits=8),
    Output(_MAT, "[28] X", [[-1.57752816, -0.6664228, 0.63910406],
                            [-0.56152218, 0.73729959, -1.42307821],
                            [-1.44348429, -0.39128029, 0.1539322]], lambda: _mat()["X"], digits=8),
    Output(_MAT, "[28] L", 2.3755,
           lambda: D.matrix_function_forward_sum(_mat()["X"], _mat()["W"], D.doc_sigmoid),
           digits=4),
    Output(_MAT, "[28] dLdX", [[0.2488887, -0.37478057, 0.01121962],
                               [0.12604152, -0.27807404, -0.13945837],
                               [0.22992798, -0.36623443, -0.02252592]],
           lambda: D.matrix_function_backward_sum_1(_mat()["X"], _mat()["W"], D.doc_sigmoid)["X"],
           digits=8),
    Output(_MAT, "[29] one-sided difference at x11", 0.2489, _mat_step, digits=4),
    Output(_LIN, "[37] MSE", 21.962219458334552, lambda: _trained("linear")["mse"]),
    Output(_LIN, "[37] R^2", 0.7052569177141323, lambda: _trained("linear")["r2"]),
    Output(f"{S001} §1.3 Linear Regression as Neural Network",
           "learned coefficients (the last eight printed)",
           [2.87254465, -0.2811529, -2.9113813, 2.12380982, -1.34482524, -1.90944831,
            1.14951932, -4.008822], lambda: _trained("linear")["weights"]["W"][-8:, 0],
           digits=8),
    Output(_LIN, "[40] sklearn MSE", 21.517444231177276, lambda: _least_squares()["mse"],
           digits=12, note="least squares by np.linalg.lstsq (scikit-learn's own solver today "
                           "gives ...177726): the last two digits depend on the solver"),
    Output(_LIN, "[40] sklearn R^2", 0.7112260057484923, lambda: _least_squares()["r2"],
           digits=14, note="as for the MSE beside it"),
    Output(_NN, "[48] MSE", 10.839123211769357, lambda: _trained("two-layer")["mse"], digits=13,
           note="10,000 steps of float64 training: this machine's exp and BLAS give ...769351, "
                "the same to 13 decimals"),
    Output(_NN, "[48] R^2", 0.8545339831990069, lambda: _trained("two-layer")["r2"]),
)
