"""The documents' claims: each verdict and diagnosis, as measured by checking.

Each expected verdict below was confirmed by reading the document (file and section in
the claim's source); the engine reaches it by differentiating the premise itself. The
last tests show the verdicts come from that check, not from a list: the same claim with
its mistake repaired is judged correct, and a correct claim broken is judged wrong.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from derive.numeric.compare import DIAGNOSES

from derive.check import CaseResult
from derive.claims import CLAIMS, Claim, ClaimResult, check_claim

S000 = "000_c5d3501ff112bbd5.txt"
S002 = "002_04ad88c71b3d2d48.txt"
S003 = "003_dbb8e357b1da829d.txt"

# (source, start of the text as printed, kind, verdict, diagnosis, factor)
EXPECTED = [
    (f"{S000} §1.2.2 Derivatives", "df/dx = (2.001^2 - 1.999^2) / 0.002 = 4", "formula",
     "correct", None, None),
    (f"{S000} §1.2.2 Derivatives", "d(x^2)/dx = 2x", "formula", "correct", None, None),
    (f"{S000} §1.2.4 The Chain rule", "df2/dx(x) = df2/du(f1(x)) * df1/dx(x)", "formula",
     "correct", None, None),
    # "increase the input by 0.0001 ... increase the output by manual_deriv * 0.001"
    (f"{S000} §1.2.4 The Chain rule", "manual_deriv means", "formula", "wrong", "scaled", 10.0),
    (f"{S000} §1.2.4 The Chain rule", "def chain_deriv_2", "code", "correct", None, None),
    (f"{S000} §1.2.5 Slightly Longer Example", "df3/dx(x) = df3/du(f2(f1(x)))", "formula",
     "correct", None, None),
    (f"{S000} §1.2.5 Slightly Longer Example", "def chain_deriv_3", "code", "correct", None, None),
    (f"{S000} §1.2.6 Functions with Multiple Inputs", "df/dx = dsigma/du(alpha(x, y))",
     "formula", "correct", None, None),
    (f"{S000} §1.2.6 Functions with Multiple Inputs", "def multiple_inputs_add_backward", "code",
     "correct", None, None),
    (f"{S000} §1.2.7 Functions with multiple vector inputs", "dnu/dX = [w1 w2 w3] = W^T",
     "formula", "correct", None, None),
    (f"{S000} §1.2.7 Functions with multiple vector inputs", "dnu/dW = [x1; x2; x3] = X^T",
     "formula", "correct", None, None),
    (f"{S000} §1.2.7 Functions with multiple vector inputs", "df/dX = dsigma/du(x1*w1",
     "formula", "correct", None, None),
    (f"{S000} §1.2.7 Functions with multiple vector inputs", "def matrix_function_backward_1",
     "code", "correct", None, None),
    # the bracket [x1, x2, x3] is printed as a row: that is X, not the column X^T
    (f"{S002} Functions with Multiple Vector Inputs", "dgamma/dW = [x1, x2, x3] = X^T",
     "formula", "wrong", "transposed", None),
    (f"{S000} §1.2.8 Functions with matrix multiplication", "dLambda/du(S) = [[1, 1]",
     "formula", "correct", None, None),
    (f"{S000} §1.2.8 Functions with matrix multiplication", "(six matrices", "formula",
     "garbled", None, None),
    (f"{S000} §1.2.8 Functions with matrix multiplication", "(the combined 3x3 matrix",
     "formula", "garbled", None, None),
    # the chain rule in the scalar order, dnu/dX = W^T first: (2x3) * (3x2) does not multiply
    (f"{S000} §1.2.8 Functions with matrix multiplication", "dLambda/du(X) = dnu/dX(X, W)",
     "formula", "wrong", "shape", None),
    (f"{S000} §1.2.8 Functions with matrix multiplication", "dLambda/du(X) = dLambda/du(S)",
     "formula", "correct", None, None),
    # X^T @ 1 * sigma'(N), read left to right: (X^T 1) * sigma'(N), not X^T (1 * sigma'(N))
    (f"{S000} §1.2.8 Functions with matrix multiplication", "dLambda/du(W) = X^T @", "formula",
     "wrong", "entries", None),
    (f"{S000} §1.2.8 Functions with matrix multiplication", "def matrix_function_backward_sum_1",
     "code", "correct", None, None),
    (f"{S002} Two 2D Matrix Inputs and One Matrix Output", "dO/du(X) = ones * W^T", "formula",
     "correct", None, None),
    # "second multiplication is element-wise, first is matrix": (3x2) @ (3x2) does not exist
    (f"{S002} The Backward Pass", "dL/dX = dLambda/du(S) x dsigma/du(N)", "formula", "wrong",
     "shape", None),
    # -1 * (2 * (Y - P)^2): the square kept after differentiating it
    # dLdP (5x1) * ones (5x1) * X^T (3x5): the factors in the printed order do not multiply
    (f"{S000} §1.3 Linear Regression as Neural Network", "dLambda/dW = dLambda/dP",
     "formula", "wrong", "shape", None),
    # B is broadcast over the batch: its gradient needs the sum over rows the formula lacks
    (f"{S000} §1.3 Linear Regression as Neural Network", "dLambda/dB = dLambda/dP",
     "formula", "wrong", "missing-sum", None),
    (f"{S000} §1.3 Linear Regression as Neural Network", "Since Lambda(P, Y) = (Y - P)^2",
     "formula", "wrong", "entries", None),
    # dLdP = -2 * (y - P) for a mean over a batch of 5: the 1/N missing
    (f"{S000} §1.3 Linear Regression as Neural Network", "def loss_gradients", "code", "wrong",
     "scaled", 5.0),
    (f"{S000} §1.4 Improved model: Neural Network", "dsigma/du(x) = sigma(x) * (1 - sigma(x))",
     "formula", "correct", None, None),
    # dLdP = -(y - P) (2/N dropped: 5/2 with N = 5), and B1 summed over its hidden units
    (f"{S000} §1.4 Improved model: Neural Network", "def loss_gradients", "code", "wrong",
     "scaled", 2.5),
    (f"{S002} Solving XOR with a Neural Network", "sigma(20*0 + 20*0 - 10) ~ 0", "formula",
     "correct", None, None),
    (f"{S002} Solving XOR with a Neural Network", "sigma(-20*0 - 20*0 + 30) ~ 1", "formula",
     "correct", None, None),
    (f"{S002} Solving XOR with a Neural Network", "sigma(20*0 + 20*1 - 30) ~ 0", "formula",
     "correct", None, None),
    (f"{S002} Solving XOR with a Neural Network", "the network with these weights computes XOR",
     "formula", "correct", None, None),
    # the post's own Jacobian has a row per output: for y = x W that is W^T
    (f"{S003} derivative", "y = x W, dy/dx = W", "formula", "wrong", "transposed", None),
    (f"{S003} matrix by matrix", "dY_{i,:}/dX_{i,:} = W^T", "formula", "correct", None, None),
    (f"{S003} backpropagation", "dE/dW3 = X2^T delta3", "formula", "correct", None, None),
    (f"{S003} backpropagation", "dE/dW2 = X1^T delta2", "formula", "correct", None, None),
    # W2^T (h2 x h1) times delta2 (n x h2): the product is undefined
    (f"{S003} backpropagation", "dE/dW1 = [W2^T delta2", "formula", "wrong", "shape", None),
    (f"{S003} backpropagation", "dE/dW1 = X0^T delta1", "formula", "correct", None, None),
]


def _find(claims: list[ClaimResult], source: str, start: str, kind: str) -> ClaimResult:
    found = [c for c in claims if c.claim.source == source and c.claim.text.startswith(start)
             and c.claim.kind == kind]
    assert len(found) == 1, (source, start, len(found))
    return found[0]


def test_every_claim_is_expected_here(claims: list[ClaimResult]) -> None:
    assert len(claims) == len(CLAIMS) == len(EXPECTED)
    for c in claims:
        assert any(c.claim.source == e[0] and c.claim.text.startswith(e[1])
                   and c.claim.kind == e[2] for e in EXPECTED), c.claim.text


@pytest.mark.parametrize(("source", "start", "kind", "verdict", "diagnosis", "factor"), EXPECTED,
                         ids=[f"{e[0][:3]}-{e[1][:28]}" for e in EXPECTED])
def test_claim_verdict(claims: list[ClaimResult], source: str, start: str, kind: str,
                       verdict: str, diagnosis: str | None, factor: float | None) -> None:
    c = _find(claims, source, start, kind)
    assert (c.verdict, c.diagnosis) == (verdict, diagnosis), c.message
    if factor is not None:
        assert c.comparison is not None and c.comparison.factor == factor
    if verdict == "wrong":
        assert c.diagnosis in DIAGNOSES
        if kind == "code":
            assert c.correct_code is not None and c.correct_code.startswith("def backward(")
    if verdict == "garbled":
        assert c.message.startswith("garbled in the text extraction: ")


def test_the_counts(claims: list[ClaimResult]) -> None:
    verdicts = [c.verdict for c in claims]
    assert (verdicts.count("correct"), verdicts.count("wrong"), verdicts.count("garbled")) == \
        (25, 12, 2)


def test_the_two_layer_code_collapses_B1(claims: list[ClaimResult]) -> None:
    c = _find(claims, f"{S000} §1.4 Improved model: Neural Network", "def loss_gradients", "code")
    assert c.message.startswith("W1: scaled by 2.5 (a missing 2/N?); ")
    assert "; B1: collapsed: candidate is reference summed over axis 1, scaled by 2.5; " \
        "expected (1, 4), got (); " in c.message
    assert "; W2: scaled by 2.5 (a missing 2/N?); " in c.message


def test_the_linear_code_message(claims: list[ClaimResult]) -> None:
    c = _find(claims, f"{S000} §1.3 Linear Regression as Neural Network", "def loss_gradients",
              "code")
    assert c.message == ("W: scaled by 5 (a missing 1/N?); B: scaled by 5 (a missing 1/N?); "
                         "shape: expected (1, 1), got (1,)")


def test_wrong_formulas_come_with_the_engine_s_matrix_form(claims: list[ClaimResult]) -> None:
    c = _find(claims, f"{S000} §1.2.8 Functions with matrix multiplication",
              "dLambda/du(W) = X^T @", "formula")
    assert c.correct_latex == r"X^{T} \, \sigma'\left(X \, W\right)"
    assert c.comparison is not None and len(c.comparison.entries) == 6
    c = _find(claims, f"{S002} The Backward Pass", "dL/dX", "formula")
    assert c.correct_latex == r"\sigma'\left(X \, W\right) \, W^{T}"
    assert c.message.startswith("shape: the printed product is undefined (matmul: ")
    c = _find(claims, f"{S000} §1.3 Linear Regression as Neural Network",
              "Since Lambda(P, Y)", "formula")
    assert c.correct_latex == r"-\left(2 \, \left(y - P\right)\right)"


def test_a_claim_carries_no_answer() -> None:
    """A claim holds what the document prints and how to check it, never its verdict."""
    names = {f.name for f in dataclasses.fields(Claim)}
    assert not names & {"verdict", "diagnosis", "expected", "wrong", "correct"}


def _claim(start: str) -> Claim:
    found = [c for c in CLAIMS if c.text.startswith(start)]
    assert len(found) == 1, start
    return found[0]


@pytest.mark.parametrize(("start", "repaired"), [
    ("manual_deriv means", "m * 0.0001"),
    ("dgamma/dW = [x1, x2, x3] = X^T", "X.T"),
    ("dLambda/du(W) = X^T @", "X.T @ (ones_like(S) * dsigmoid(N))"),
    ("dL/dX = dLambda/du(S) x dsigma/du(N)", "ones_like(S) * dsigmoid(N) @ W.T"),
    ("Since Lambda(P, Y) = (Y - P)^2", "-1 * (2 * (y - P))"),
    ("y = x W, dy/dx = W", "W.T"),
    ("dE/dW1 = [W2^T delta2", "X0.T @ (d2 @ W2.T * dsigmoid(X0 @ W1))"),
])
def test_a_repaired_claim_is_judged_correct(results: dict[str, CaseResult], start: str,
                                            repaired: str) -> None:
    fixed = dataclasses.replace(_claim(start), claimed=repaired)
    r = check_claim(fixed, results)
    assert (r.verdict, r.diagnosis) == ("correct", None), r.message


@pytest.mark.parametrize(("start", "broken", "diagnosis"), [
    ("d(x^2)/dx = 2x", "x", "scaled"),
    ("dnu/dX = [w1 w2 w3] = W^T", "W", "transposed"),
    ("dLambda/du(X) = dLambda/du(S)", "-(ones_like(S) * dsigmoid(N) @ W.T)", "sign"),
    ("dE/dW3 = X2^T delta3", "X2.T @ (X3 - T)", "entries"),
    ("dsigma/du(x) = sigma(x) * (1 - sigma(x))", "sigmoid(x) * (1 + sigmoid(x))", "entries"),
])
def test_a_broken_claim_is_judged_wrong(results: dict[str, CaseResult], start: str, broken: str,
                                        diagnosis: str) -> None:
    claim = dataclasses.replace(_claim(start), claimed=broken)
    r = check_claim(claim, results)
    assert (r.verdict, r.diagnosis) == ("wrong", diagnosis), r.message


def test_the_xor_claim_compares_a_column_of_outputs_with_the_printed_list(
        claims: list[ClaimResult]) -> None:
    c = _find(claims, f"{S002} Solving XOR with a Neural Network",
              "the network with these weights computes XOR", "formula")
    assert c.claimed is not None and c.claimed.shape == (4,)
    np.testing.assert_allclose(c.claimed, [0, 1, 1, 0], atol=1e-4)
    assert c.message == "every value within 0.0001 of the printed 0/1"


def test_claims_cite_their_documents(claims: list[ClaimResult], seeds: dict[str, str]) -> None:
    for c in claims:
        file, _, section = c.claim.source.partition(" ")
        assert file in seeds, c.claim.source
        heading = section.removeprefix("§").split(" ", 1)[-1] if "§" in section else section
        assert heading.lower() in seeds[file].lower(), c.claim.source


def test_a_wrong_jacobian_comes_with_the_right_one(claims: list[ClaimResult]) -> None:
    """003's dy/dx = W for y = x W: the Jacobian (a row per output) is W^T, found by SymPy."""
    c = _find(claims, f"{S003} derivative", "y = x W, dy/dx = W", "formula")
    assert c.correct_latex == "W^{T}"


def test_a_factor_of_ten_hints_at_a_decimal_place(claims: list[ClaimResult]) -> None:
    c = _find(claims, f"{S000} §1.2.4 The Chain rule", "manual_deriv means", "formula")
    assert "decimal place" in c.message and "scaled by 10" in c.message
