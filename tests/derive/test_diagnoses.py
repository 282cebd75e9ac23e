"""Every diagnosis of the vocabulary, triggered by a deliberately broken backward pass.

Each test takes a case of the documents, swaps its hand-written backward pass for a broken
one (``dataclasses.replace``: the case itself is untouched), runs the engine's own check
path, ``check_case``, and asserts that the comparison with the symbolic truth names the
mistake: the diagnosis, its constant factor, the wrong entries, the message.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from derive.numeric import documents as D
from derive.numeric.compare import DIAGNOSES
from derive.numeric.functions import sigmoid

from derive.cases import get
from derive.check import CaseResult, GradientCheck, check_case


def _check(name: str, hand: Callable[..., Any], **changes: Any) -> CaseResult:
    return check_case(dataclasses.replace(get(name), hand=hand, **changes), prove=False)


def _only_wrong(r: CaseResult, wrt: str) -> GradientCheck:
    """The broken gradient; every other gradient of the case still checks out."""
    for w, g in r.gradients.items():
        assert g.vs_matrix.ok and g.vs_fd.ok, w  # the symbolic side is not what broke
        if w != wrt:
            assert g.vs_hand is not None and g.vs_hand.verdict == "ok", (w, g.vs_hand.message)
    g = r.gradients[wrt]
    assert g.vs_hand is not None
    return g


def _two_layer_dLdN1(X, y, W1, B1, W2, B2):
    """The hidden layer's upstream gradient, batch rows kept (the correct pass sums them)."""
    N1 = X @ W1 + B1
    O1 = sigmoid(N1)
    P = O1 @ W2 + B2
    dLdP = -2 * (y - P) / len(X)
    return (dLdP @ W2.T) * O1 * (1 - O1)


def test_scaled_with_the_constant_factor() -> None:
    """Linear regression without the mean's 1/N (batch of 5): scaled by 5."""
    def hand(X, y, W, B):
        g = D.linreg_gradients(X, y, W, B)
        return {"W": 5 * g["W"], "B": g["B"]}

    r = _check("linear", hand)
    g = _only_wrong(r, "W")
    assert not r.ok and not g.ok
    assert (g.vs_hand.verdict, g.vs_hand.diagnosis, g.vs_hand.factor) == ("wrong", "scaled", 5.0)
    assert g.vs_hand.message == "scaled by 5 (a missing 1/N?)"
    assert g.vs_hand.entries == ((0, 0), (1, 0), (2, 0))


def test_scaled_by_the_documents_two_layer_constant() -> None:
    """000 §1.4's dLdP = -(y - P): the 2/N dropped, so W1 comes out 5/2 times too large."""
    def hand(**a):
        g = dict(D.two_layer_gradients(**a))
        g["W1"] = g["W1"] * 2.5
        return g

    g = _only_wrong(_check("two-layer", hand), "W1")
    assert (g.vs_hand.diagnosis, g.vs_hand.factor) == ("scaled", 2.5)
    assert g.vs_hand.message == "scaled by 2.5 (a missing 2/N?)"


def test_sign() -> None:
    def hand(X, W):
        g = D.matrix_function_backward_sum_hand(X, W)
        return {"X": -g["X"], "W": g["W"]}

    g = _only_wrong(_check("matrix-sum", hand), "X")
    assert (g.vs_hand.diagnosis, g.vs_hand.factor) == ("sign", -1.0)
    assert g.vs_hand.message == "sign: candidate is -1 * reference"


def test_transposed_square_gradient() -> None:
    """dL/dX of the 3x3 X transposed: same shape, values in the mirrored places."""
    def hand(X, W):
        g = D.matrix_function_backward_sum_hand(X, W)
        return {"X": g["X"].T, "W": g["W"]}

    g = _only_wrong(_check("matrix-sum", hand), "X")
    assert g.vs_hand.diagnosis == "transposed" and g.vs_hand.factor is None
    assert g.vs_hand.message == "transposed: candidate is reference.T"
    assert g.vs_hand.entries == ((0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1))


def test_transposed_row_for_column() -> None:
    """002's dgamma/dW = [x1, x2, x3]: the row X where the column X^T belongs."""
    def hand(X, W):
        return {"X": D.matrix_function_backward_hand(X, W)["X"],
                "W": D.matrix_function_backward_hand(X, W)["W"].T}

    g = _only_wrong(_check("row-vector", hand), "W")
    assert g.vs_hand.diagnosis == "transposed"
    assert g.vs_hand.message == "transposed: candidate is reference.T; expected (3, 1), got (1, 3)"


def test_shape() -> None:
    def hand(**a):
        g = dict(D.two_layer_gradients(**a))
        g["W1"] = g["W1"].reshape(-1)
        return g

    g = _only_wrong(_check("two-layer", hand), "W1")
    assert g.vs_hand.diagnosis == "shape"
    assert g.vs_hand.message == "shape: expected (3, 4), got (12,) (values agree)"


def test_collapsed() -> None:
    """000 §1.4's loss_gradients['B1'] = dLdB1.sum(axis=0): the hidden units summed together."""
    def hand(**a):
        g = dict(D.two_layer_gradients(**a))
        g["B1"] = g["B1"].sum(axis=0).sum(axis=0)
        return g

    g = _only_wrong(_check("two-layer", hand), "B1")
    assert g.vs_hand.diagnosis == "collapsed"
    assert g.vs_hand.message == (
        "collapsed: candidate is reference summed over axis 1; expected (1, 4), got ()")


def test_missing_sum() -> None:
    """The bias gradient left per example: the batch axis not summed."""
    def hand(**a):
        g = dict(D.two_layer_gradients(**a))
        g["B1"] = _two_layer_dLdN1(**a)
        return g

    g = _only_wrong(_check("two-layer", hand), "B1")
    assert g.vs_hand.diagnosis == "missing-sum"
    assert g.vs_hand.message == (
        "missing-sum: candidate summed over axis 0 equals reference; expected (1, 4), got (5, 4)")


def test_entries_listed() -> None:
    def hand(X, W):
        g = D.matrix_function_backward_sum_hand(X, W)
        dX = g["X"].copy()
        dX[1, 2] += 0.5
        dX[2, 0] -= 0.25
        return {"X": dX, "W": g["W"]}

    g = _only_wrong(_check("matrix-sum", hand), "X")
    assert g.vs_hand.diagnosis == "entries"
    assert g.vs_hand.entries == ((1, 2), (2, 0))
    assert g.vs_hand.message.startswith("entries: 2 of 9 wrong, worst at (1, 2) (rel error ")


def test_entries_all_zero() -> None:
    """A pass that returns zeros (a mask that is never true) is named as such."""
    g = _only_wrong(_check("matrix-sum", lambda X, W: {"X": np.zeros_like(X),
                                                       "W": D.matrix_function_backward_sum_hand(
                                                           X, W)["W"]}), "X")
    assert g.vs_hand.diagnosis == "entries"
    assert g.vs_hand.message.endswith("(candidate is all zeros)")


@pytest.mark.parametrize(("name", "hand_value", "exact"), [
    ("relu", 1.0, 0.5),        # relu'(0) taken as 1; the symmetric derivative is 1/2
    ("relu", 0.0, 0.5),        # ... or as 0: both are subgradients
    ("leaky-relu", 0.2, 0.6),  # lrelu'(0) taken as 0.2, inside [0.2, 1]
])
def test_nondifferentiable_at_a_kink(name: str, hand_value: float, exact: float) -> None:
    r = _check(name, lambda x: {"x": np.full_like(x, hand_value)},
               point=lambda: {"x": np.array(0.0)})
    g = r.gradients["x"]
    assert float(g.exact) == exact
    assert g.vs_hand.verdict == "nondifferentiable"
    assert g.vs_hand.diagnosis == "nondifferentiable"
    assert g.vs_hand.message == (
        "nondifferentiable: candidate differs only at kinks [()], within the subgradient")
    assert g.ok and r.ok  # any subgradient is accepted: not called wrong


def test_outside_the_subgradient_is_wrong_even_at_a_kink() -> None:
    r = _check("relu", lambda x: {"x": np.full_like(x, 3.0)}, point=lambda: {"x": np.array(0.0)})
    g = r.gradients["x"]
    assert g.vs_hand.verdict == "wrong" and not r.ok


def test_every_diagnosis_of_the_vocabulary_is_triggered_here() -> None:
    import inspect
    import sys

    source = inspect.getsource(sys.modules[__name__])
    for d in DIAGNOSES:
        assert f'"{d}"' in source, d
    assert set(DIAGNOSES) == {"scaled", "sign", "transposed", "shape", "collapsed",
                              "missing-sum", "entries", "nondifferentiable"}


def test_a_failing_printed_pass_is_a_shape_finding() -> None:
    """003's dE/dW1 = [W2^T delta2 o f1'(X0 W1)] X0^T cannot even be multiplied."""
    r = check_case(get("three-layer"), prove=False)
    g = r.gradients["W1"]
    assert isinstance(g.as_printed, str) and g.as_printed.startswith("ValueError: ")
    assert g.vs_printed.diagnosis == "shape"
    assert g.vs_printed.message.startswith("shape: the code as printed fails (ValueError: ")
    assert r.ok  # a wrong printed pass is a finding, not a failure of the case
