"""Nested chains of any length (000 §1.2.3-1.2.5, 002 "Nested Functions", "The Chain Rule")."""

from __future__ import annotations

import numpy as np

from derive.cases import Case, Printed
from derive.numeric import documents as D
from derive.numeric.functions import chain, chain_deriv, leaky_relu, sigmoid, square

SRC2 = "000_c5d3501ff112bbd5.txt §1.2.4 The Chain rule"
SRC3 = "000_c5d3501ff112bbd5.txt §1.2.5 Slightly Longer Example"

_EXACT = {  # exact derivatives, for the hand-written chain rule (one chain_deriv, any length)
    square: lambda u: 2 * u,
    sigmoid: lambda u: sigmoid(u) * (1 - sigmoid(u)),
    leaky_relu: lambda u: np.where(u > 0, 1.0, 0.2),
}


def chain2(x):
    f1_of_x = square(x)
    return sigmoid(f1_of_x)


def chain3(x):
    f1_of_x = leaky_relu(x)
    f2_of_x = square(f1_of_x)
    return sigmoid(f2_of_x)


def _hand(funcs):
    return lambda x: {"x": chain_deriv(funcs, x, [_EXACT[f] for f in funcs])}


CASES = (
    Case(
        "chain-2", "A chain of two: sigma(square(x))", SRC2,
        r"f_2(f_1(x)) with f_1 = square, f_2 = \sigma, at x = 2",
        chain2, ("x",), lambda: {"x": np.array(2.0)},
        hand=_hand([square, sigmoid]),
        as_printed=lambda x: {"x": D.chain_deriv_2([D.doc_square, D.doc_sigmoid], x)},
        as_printed_forward=lambda x: D.chain_length_2([D.doc_square, D.doc_sigmoid], x),
        printed=(
            Printed("forward", 0.9820137900379085, SRC2),
            Printed("x", 0.0706508353807067, SRC2, how="chain_deriv_2 with deriv, delta = 0.001"),
            Printed("x", 0.07065082585744342, SRC2, how="manual_deriv, delta = 0.0001",
                    reproduce=lambda a: D.manual_deriv(
                        lambda x: D.chain_length_2([D.doc_square, D.doc_sigmoid], x),
                        a["x"], 0.0001)),
        ),
        notes=("chain_deriv is one function for any length: "
               f"chain([square, sigmoid], 2) = {float(chain([square, sigmoid], 2.0))!r}",),
    ),
    Case(
        "chain-3", "A chain of three: sigma(square(leaky_relu(x)))", SRC3,
        r"f_3(f_2(f_1(x))) with f_1 = leaky ReLU, f_2 = square, f_3 = \sigma, at x = -4",
        chain3, ("x",), lambda: {"x": np.array(-4.0)},
        hand=_hand([leaky_relu, square, sigmoid]),
        as_printed=lambda x: {"x": D.chain_deriv_3([D.doc_leaky_relu, D.doc_square,
                                                   D.doc_sigmoid], x)},
        as_printed_forward=lambda x: D.chain_length_3(
            [D.doc_leaky_relu, D.doc_square, D.doc_sigmoid], x),
        printed=(
            Printed("forward", 0.6547534606063192, SRC3),
            Printed("x", -0.07233643296206184, SRC3, how="chain_deriv_3 with deriv, delta = 0.001"),
        ),
    ),
)
