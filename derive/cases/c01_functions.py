"""Single functions and their derivatives (000 §1.2.1-1.2.2, 002 "Functions", "Derivatives")."""

from __future__ import annotations

import numpy as np

from derive.cases import Case, Printed
from derive.numeric import documents as D
from derive.numeric.functions import leaky_relu, relu, sigmoid, square

SRC_FUNCTIONS = "000_c5d3501ff112bbd5.txt §1.2.1 Functions; 002_04ad88c71b3d2d48.txt Functions"
SRC_DERIV = "000_c5d3501ff112bbd5.txt §1.2.2 Derivatives"


def f_square(x):
    return square(x)


def f_relu(x):
    return relu(x)


def f_leaky_relu(x):
    return leaky_relu(x)


def f_sigmoid(x):
    return sigmoid(x)


def _doc_deriv(func):
    """The documents' central difference (delta = 0.001) of one of their functions."""
    return lambda x: {"x": D.doc_deriv(func, x)}


CASES = (
    Case(
        "square", "Square and its derivative", f"{SRC_FUNCTIONS}; {SRC_DERIV}",
        r"f_1(x) = x^{2}, evaluated at x = 2 as the documents do with deriv(square, 2)",
        f_square, ("x",), lambda: {"x": np.array(2.0)},
        hand=lambda x: {"x": 2 * x},
        as_printed=_doc_deriv(D.doc_square),
        printed=(Printed(
            "x", 3.999999999995595, SRC_DERIV, how="deriv(square, 2), delta = 0.001",
            note="the printed code gives 3.9999999999995595; the print has one 9 fewer, "
                 "most likely lost in the text extraction (no other delta reproduces it)",
        ),),
    ),
    Case(
        "relu", "max(x, 0) and its derivative", SRC_FUNCTIONS,
        r"f_2(x) = \max(x, 0), at x = 1.5", f_relu, ("x",), lambda: {"x": np.array(1.5)},
        hand=lambda x: {"x": np.where(x > 0, 1.0, 0.0)},
    ),
    Case(
        "leaky-relu", "Leaky ReLU max(0.2x, x) and its derivative",
        "002_04ad88c71b3d2d48.txt Functions (leaky_relu)",
        r"\max(0.2 x, x), at x = -4 (the chain's input)", f_leaky_relu, ("x",),
        lambda: {"x": np.array(-4.0)},
        hand=lambda x: {"x": np.where(x > 0, 1.0, 0.2)},
        as_printed=_doc_deriv(D.doc_leaky_relu),
    ),
    Case(
        "sigmoid", "Sigmoid and its derivative",
        "000_c5d3501ff112bbd5.txt §1.4 Improved model: Neural Network; "
        "002_04ad88c71b3d2d48.txt Nesting Sigmoid and Square Function",
        r"\sigma(x) = 1 / (1 + e^{-x}), with \sigma'(x) = \sigma(x)(1 - \sigma(x)), at x = 0.5",
        f_sigmoid, ("x",), lambda: {"x": np.array(0.5)},
        hand=lambda x: {"x": sigmoid(x) * (1 - sigmoid(x))},
        as_printed=_doc_deriv(D.doc_sigmoid),
    ),
)
