"""Several inputs: sigma(x + y) and sigma(x * y).

Source: 000 §1.2.6, 002 "Functions with Multiple Inputs".
"""

from __future__ import annotations

import numpy as np

from derive.cases import Case, Printed
from derive.numeric import documents as D
from derive.numeric.functions import sigmoid

SRC = "000_c5d3501ff112bbd5.txt §1.2.6 Functions with Multiple Inputs"


def add_sigma(x, y):
    a = x + y
    return sigmoid(a)


def mul_sigma(x, y):
    a = x * y
    return sigmoid(a)


def _pair(result):
    dx, dy = result
    return {"x": dx, "y": dy}


CASES = (
    Case(
        "add-sigma", "sigma(x + y)", SRC,
        r"a = \alpha(x, y) = x + y, s = \sigma(a), at (x, y) = (3, 4)",
        add_sigma, ("x", "y"), lambda: {"x": np.array(3.0), "y": np.array(4.0)},
        hand=lambda x, y: D.add_sigma_backward(x, y),
        as_printed=lambda x, y: _pair(D.multiple_inputs_add_backward(x, y, D.doc_sigmoid)),
        as_printed_forward=lambda x, y: D.multiple_inputs_add(x, y, D.doc_sigmoid),
        printed=(
            Printed("forward", 0.9990889488055994, SRC),
            Printed("x", 0.0009102213310852036, SRC, how="deriv, delta = 0.001"),
            Printed("y", 0.0009102213310852036, SRC, how="deriv, delta = 0.001"),
        ),
    ),
    Case(
        "mul-sigma", "sigma(x * y)", SRC,
        r"a = x y, s = \sigma(a), at (x, y) = (0.5, 1.5)",
        mul_sigma, ("x", "y"), lambda: {"x": np.array(0.5), "y": np.array(1.5)},
        hand=lambda x, y: D.mul_sigma_backward(x, y),
    ),
)
