"""The documents' claims: every printed formula and code block that states a derivative.

Each claim keeps the text as printed and a transcription into the whitelisted formula
language (:mod:`derive.formula`): the premise (what is differentiated) and the claimed
derivative. The engine differentiates the premise itself, by rules, and compares; the
verdict comes from that comparison, never from a list of known answers. Code claims are
the documents' as-printed passes, judged by the case check that runs them. A formula the
text extraction garbled is said to be garbled, not guessed at.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from derive import backward as B
from derive import elementwise as EW
from derive.check import CaseResult, check_case
from derive.compile import compile_numpy
from derive.errors import DeriveError
from derive.formula import Formula, as_function
from derive.graph import from_forward
from derive.numeric.compare import Comparison, compare
from derive.printers import name_latex, to_latex
from derive.trace import trace

# A printed first-order prediction f(x + h) ~ f(x) + h f'(x) is off by ~h |f''/f'| relative;
# with the documents' h = 1e-4 that is ~1e-4, so 1e-3 accepts it and catches a wrong factor.
APPROX_RTOL = 1e-3

# The slides' "sigma(...) ~ 0 or 1" means saturation: sigma(+-10) is within 4.6e-5 of 1 or 0.
SATURATION_ATOL = 1e-4

S000 = "000_c5d3501ff112bbd5.txt"
S001 = "001_18c9884adda04527.txt"
S002 = "002_04ad88c71b3d2d48.txt"
S003 = "003_dbb8e357b1da829d.txt"


@dataclass(frozen=True)
class Claim:
    """One statement of the documents, as printed, and how to check it.

    ``premise`` is differentiated with respect to ``wrt`` and compared with ``claimed``;
    with ``truth`` instead of a premise, two values are compared (a printed prediction);
    with ``approx``, ``claimed`` must be within SATURATION_ATOL of it; ``jacobian`` takes
    the documents' numerator layout (rows = outputs). ``defs`` are named helper values
    (e.g. the deltas of 003), evaluated in order. A code claim names the case whose
    as-printed pass it is.
    """

    source: str
    kind: str  # "formula" | "code"
    text: str
    latex: str | None = None
    case: str | None = None
    premise: str | None = None
    wrt: str | None = None
    claimed: str | None = None
    truth: str | None = None
    approx: tuple[float, ...] | None = None
    jacobian: bool = False
    defs: tuple[tuple[str, str], ...] = ()
    point: Mapping[str, Any] = field(default_factory=dict)
    garbled: str = ""
    note: str = ""


@dataclass(frozen=True)
class ClaimResult:
    claim: Claim
    verdict: str  # "correct" | "wrong" | "garbled"
    diagnosis: str | None
    message: str
    correct_latex: str | None = None
    correct_code: str | None = None
    truth: np.ndarray | None = None
    claimed: np.ndarray | None = None
    comparison: Comparison | None = None


def _env(claim: Claim, results: Mapping[str, CaseResult]) -> dict[str, Any]:
    env: dict[str, Any] = {}
    if claim.case:
        r = results[claim.case]
        env.update(r.inputs)
        env.update(r.steps)
    env.update({k: np.asarray(v, dtype=np.float64) for k, v in claim.point.items()})
    for name, text in claim.defs:
        env[name] = Formula(text)(**env)
    return env


def _derivative(premise: str, wrt: str, env: Mapping[str, Any]) -> tuple[np.ndarray, str]:
    """The premise's gradient by the engine's rules, at ``env``, and its matrix form in LaTeX."""
    f, names = as_function(premise)
    arrays = {n: np.asarray(env[n], dtype=np.float64) for n in names}
    graph = from_forward(f, {n: a.shape for n, a in arrays.items()}, (wrt,))
    bw = B.derive(graph)
    grad = compile_numpy(bw).backward(**arrays)[wrt]
    return np.asarray(grad, dtype=np.float64), to_latex(bw.gradient(wrt))


def _jacobian(premise: str, wrt: str, env: Mapping[str, Any]) -> tuple[np.ndarray, str]:
    """J[j, i] = d y_j / d x_i by SymPy over element symbols (rows = outputs, the documents'
    numerator layout): its value at the point, and its LaTeX, named as an input or its
    transpose when it is exactly one."""
    f, names = as_function(premise)
    out, inputs = trace(f, {n: np.shape(env[n]) for n in names})
    symbols = EW.symbols_for(inputs)
    y = sp.Matrix(np.ravel(EW.evaluate(out, symbols)).tolist())
    J = y.jacobian(sp.Matrix(np.ravel(symbols[wrt]).tolist()))
    point = {s: float(v) for n in names
             for s, v in zip(np.ravel(symbols[n]), np.ravel(np.asarray(env[n], dtype=float)))}
    return np.array(J.subs(point).tolist(), dtype=np.float64), _jacobian_latex(J, names, symbols)


def _jacobian_latex(J: sp.Matrix, names: list[str], symbols: Mapping[str, np.ndarray]) -> str:
    for n in names:
        S = sp.Matrix(np.atleast_2d(symbols[n]).tolist())
        if J.shape == S.T.shape and J == S.T:
            return rf"{name_latex(n)}^{{T}}"
        if J.shape == S.shape and J == S:
            return name_latex(n)
    return sp.latex(J, mat_str="bmatrix", mat_delim="")


def _claimed_value(claim: Claim, env: Mapping[str, Any]) -> Any:
    try:
        return np.asarray(Formula(claim.claimed or "")(**env), dtype=np.float64), None
    except ValueError as exc:  # numpy refuses the shapes: the printed product is undefined
        return None, str(exc)


def check_claim(claim: Claim, results: Mapping[str, CaseResult]) -> ClaimResult:
    if claim.garbled:
        note = f"garbled in the text extraction: {claim.garbled}"
        return ClaimResult(claim, "garbled", None, note)
    if claim.kind == "code":
        return _check_code(claim, results[claim.case or ""])
    env = _env(claim, results)
    claimed, error = _claimed_value(claim, env)
    correct_latex = None
    if claim.approx is not None:
        truth = np.asarray(claim.approx, dtype=np.float64)
    elif claim.truth is not None:
        truth = np.asarray(Formula(claim.truth)(**env), dtype=np.float64)
    elif claim.jacobian:
        truth, correct_latex = _jacobian(claim.premise or "", claim.wrt or "", env)
    else:
        truth, correct_latex = _derivative(claim.premise or "", claim.wrt or "", env)
    if error is not None:
        return ClaimResult(claim, "wrong", "shape", f"shape: the printed product is undefined "
                           f"({error})", correct_latex, truth=truth)
    if claim.approx is not None:
        if claimed.size == truth.size:  # a column of outputs against the printed list of 0/1
            claimed = claimed.reshape(truth.shape)
        ok = bool(np.all(np.abs(claimed - truth) <= SATURATION_ATOL))
        msg = (f"every value within {SATURATION_ATOL:g} of the printed 0/1" if ok
               else f"values {np.round(claimed, 6).tolist()} are not ~ {truth.tolist()}")
        return ClaimResult(claim, "correct" if ok else "wrong", None if ok else "entries", msg,
                           truth=truth, claimed=claimed)
    cmp = compare(truth, claimed, rtol=APPROX_RTOL if claim.truth else None)
    verdict = "correct" if cmp.ok else "wrong"
    return ClaimResult(claim, verdict, cmp.diagnosis, cmp.message,
                       correct_latex if verdict == "wrong" else None,
                       truth=truth, claimed=claimed, comparison=cmp)


def _check_code(claim: Claim, result: CaseResult) -> ClaimResult:
    """A code claim is the case's as-printed pass: its verdict is that comparison's."""
    parts, wrong = [], []
    for name, g in result.gradients.items():
        if g.vs_printed is None:
            continue
        parts.append(f"{name}: {g.vs_printed.message}")
        if not g.vs_printed.ok:
            wrong.append(g)
    if not parts:
        raise DeriveError(f"claim about {claim.case!r} has no as-printed pass to judge")
    first = wrong[0] if wrong else None
    verdict = "wrong" if wrong else "correct"
    truth = claimed = None
    if first is not None and not isinstance(first.as_printed, str):
        cand = np.asarray(first.as_printed, dtype=np.float64)
        if cand.shape == first.exact.shape:
            truth, claimed = first.exact, cand
    return ClaimResult(
        claim, verdict, first.vs_printed.diagnosis if first else None, "; ".join(parts),
        correct_code=result.code.backward_source if wrong else None,
        truth=truth, claimed=claimed, comparison=first.vs_printed if first else None)


def check_claims(results: Mapping[str, CaseResult] | None = None,
                 claims: tuple[Claim, ...] | None = None) -> list[ClaimResult]:
    """Judge every claim; cases a claim needs are checked here if ``results`` lacks them."""
    from derive.cases import get

    have = dict(results or {})
    out = []
    for claim in claims if claims is not None else CLAIMS:
        if claim.case and claim.case not in have:
            have[claim.case] = check_case(get(claim.case), prove=False)
        out.append(check_claim(claim, have))
    return out


_X = {"x": [[0.3, -1.2, 0.7]], "W": [[0.5, -0.4], [1.1, 0.2], [-0.6, 0.9]]}
_OR_AND = {"a": [0.0, 1.0, 0.0, 1.0], "b": [0.0, 1.0, 1.0, 0.0]}
_THREE = "0.5 * sum((sigmoid(sigmoid(sigmoid(X0 @ W1) @ W2) @ W3) - T) ** 2)"
_DELTAS = (("d3", "(X3 - T) * dsigmoid(X2 @ W3)"), ("d2", "d3 @ W3.T * dsigmoid(X1 @ W2)"))

CLAIMS: tuple[Claim, ...] = (
    Claim(f"{S000} §1.2.2 Derivatives", "formula",
          "df/dx = (2.001^2 - 1.999^2) / 0.002 = 4, for f(x) = x^2 at x = 2",
          r"\frac{df}{dx} = \frac{2.001^2 - 1.999^2}{0.002} = 4", case="square",
          premise="x ** 2", wrt="x", claimed="(2.001 ** 2 - 1.999 ** 2) / 0.002"),
    Claim(f"{S000} §1.2.2 Derivatives", "formula", "d(x^2)/dx = 2x",
          r"\frac{df(x^2)}{dx} = 2x", case="square", premise="x ** 2", wrt="x", claimed="2 * x"),
    Claim(f"{S000} §1.2.4 The Chain rule", "formula",
          "df2/dx(x) = df2/du(f1(x)) * df1/dx(x), for f1 = square, f2 = sigmoid at x = 2",
          r"\frac{df_2}{dx}(x) = \frac{df_2}{du}(f_1(x)) \cdot \frac{df_1}{dx}(x)",
          case="chain-2", premise="sigmoid(square(x))", wrt="x",
          claimed="dsigmoid(square(x)) * dsquare(x)"),
    Claim(f"{S000} §1.2.4 The Chain rule", "formula",
          "manual_deriv means that if we increase the input by 0.0001 unit, it will increase "
          "the output by manual_deriv * 0.001",
          r"f(2 + 0.0001) - f(2) \approx \text{manual\_deriv} \times 0.001", case="chain-2",
          defs=(("m", "(sigmoid(square(x + 0.0001)) - sigmoid(square(x - 0.0001))) / 0.0002"),),
          truth="sigmoid(square(x + 0.0001)) - sigmoid(square(x))", claimed="m * 0.001",
          note="the code beside it uses 0.0001, as it should"),
    Claim(f"{S000} §1.2.4 The Chain rule", "code",
          "def chain_deriv_2(chain, x):\n    f1 = chain[0]\n    f2 = chain[1]\n"
          "    f1_of_x = f1(x)\n    df1dx = deriv(f1, x)\n    df2du = deriv(f2, f1(x))\n"
          "    return df1dx * df2du", case="chain-2",
          note="finite differences with delta = 0.001 inside: close to, not equal to, the exact "
               "derivative"),
    Claim(f"{S000} §1.2.5 Slightly Longer Example", "formula",
          "df3/dx(x) = df3/du(f2(f1(x))) * df2/du(f1(x)) * df1/dx(x)",
          r"\frac{df_3}{dx}(x) = \frac{df_3}{du}(f_2(f_1(x))) \cdot \frac{df_2}{du}(f_1(x)) "
          r"\cdot \frac{df_1}{dx}(x)", case="chain-3",
          premise="sigmoid(square(leaky_relu(x)))", wrt="x",
          claimed="dsigmoid(square(leaky_relu(x))) * dsquare(leaky_relu(x)) * dleaky_relu(x)"),
    Claim(f"{S000} §1.2.5 Slightly Longer Example", "code",
          "def chain_deriv_3(chain, x):\n    f1_of_x = f1(x)\n    f2_of_x = f2(f1_of_x)\n"
          "    df3du = deriv(f3, f2_of_x)\n    df2du = deriv(f2, f1_of_x)\n"
          "    df1dx = deriv(f1, x)\n    return df1dx * df2du * df3du", case="chain-3"),
    Claim(f"{S000} §1.2.6 Functions with Multiple Inputs", "formula",
          "df/dx = dsigma/du(alpha(x, y)) * dalpha/dx((x, y)), with dalpha/dx = 1",
          r"\frac{\partial f}{\partial x} = \frac{\partial \sigma}{\partial u}(\alpha(x, y)) "
          r"\cdot \frac{\partial \alpha}{\partial x}((x, y))", case="add-sigma",
          premise="sigmoid(x + y)", wrt="x", claimed="dsigmoid(x + y) * 1"),
    Claim(f"{S000} §1.2.6 Functions with Multiple Inputs", "code",
          "def multiple_inputs_add_backward(x, y, sigma):\n    a = x + y\n"
          "    dsda = deriv(sigma, a)\n    dadx, dady = 1, 1\n    return dsda * dadx, dsda * dady",
          case="add-sigma"),
    Claim(f"{S000} §1.2.7 Functions with multiple vector inputs", "formula",
          "dnu/dX = [w1 w2 w3] = W^T", r"\frac{\partial \nu}{\partial X} = W^{\top}",
          case="row-vector", premise="X @ W", wrt="X", claimed="W.T"),
    Claim(f"{S000} §1.2.7 Functions with multiple vector inputs", "formula",
          "dnu/dW = [x1; x2; x3] = X^T", r"\frac{\partial \nu}{\partial W} = X^{\top}",
          case="row-vector", premise="X @ W", wrt="W", claimed="X.T"),
    Claim(f"{S000} §1.2.7 Functions with multiple vector inputs", "formula",
          "df/dX = dsigma/du(x1*w1 + x2*w2 + x3*w3) @ W^T",
          r"\frac{\partial f}{\partial X} = \frac{\partial \sigma}{\partial u}"
          r"(x_1 w_1 + x_2 w_2 + x_3 w_3) \, W^{\top}",
          case="row-vector", premise="sigmoid(X @ W)", wrt="X", claimed="dsigmoid(X @ W) @ W.T"),
    Claim(f"{S000} §1.2.7 Functions with multiple vector inputs", "code",
          "def matrix_function_backward_1(X, W, sigma):\n    N = np.dot(X, W)\n    S = sigma(N)\n"
          "    dSdN = deriv(sigma, N)\n    dNdX = np.transpose(W, (1, 0))\n"
          "    return np.dot(dSdN, dNdX)", case="row-vector"),
    Claim(f"{S002} Functions with Multiple Vector Inputs", "formula",
          "dgamma/dW = [x1, x2, x3] = X^T",
          r"\frac{\partial \gamma}{\partial W} = [x_1, x_2, x_3] = X^{T}",
          case="row-vector", premise="X @ W", wrt="W", claimed="X",
          note="the bracket is printed as a row, which is X itself; X^T is the column "
               "[x1; x2; x3] that 000 prints"),
    Claim(f"{S000} §1.2.8 Functions with matrix multiplication", "formula",
          "dLambda/du(S) = [[1, 1], [1, 1], [1, 1]]",
          r"\frac{\partial \Lambda}{\partial u}(S) = \mathbf{1}_{3 \times 2}",
          case="matrix-sum", premise="sum(S)", wrt="S", claimed="ones_like(S)"),
    Claim(f"{S000} §1.2.8 Functions with matrix multiplication", "formula",
          "(six matrices dsigma(XW_ij)/dX summed)",
          garbled="the extracted sum of six 3x3 matrices has lost its rows and columns "
                  "(one row of three entries is left, the terms repeat)", case="matrix-sum"),
    Claim(f"{S000} §1.2.8 Functions with matrix multiplication", "formula",
          "(the combined 3x3 matrix of dsigma/du(XW_ij) * w_kl sums)",
          garbled="the extracted matrix runs its three rows together and repeats terms such as "
                  "dsigma/du(XW_21) * w_21", case="matrix-sum"),
    Claim(f"{S000} §1.2.8 Functions with matrix multiplication", "formula",
          "dLambda/du(X) = dnu/dX(X, W) * dsigma/du(N) * dLambda/du(S)",
          r"\frac{\partial \Lambda}{\partial u}(X) = \frac{\partial \nu}{\partial X}(X, W) * "
          r"\frac{\partial \sigma}{\partial u}(N) * \frac{\partial \Lambda}{\partial u}(S)",
          case="matrix-sum", premise="sum(sigmoid(X @ W))", wrt="X",
          claimed="W.T * dsigmoid(N) * ones_like(S)",
          note="the chain rule stated first, in the order of the scalar case, with dnu/dX = W^T "
               "as §1.2.7 gives it"),
    Claim(f"{S000} §1.2.8 Functions with matrix multiplication", "formula",
          "dLambda/du(X) = dLambda/du(S) * dsigma/du(N) @ W^T",
          r"\frac{\partial \Lambda}{\partial u}(X) = \frac{\partial \Lambda}{\partial u}(S) * "
          r"\frac{\partial \sigma}{\partial u}(N) \,@\, W^{T}", case="matrix-sum",
          premise="sum(sigmoid(X @ W))", wrt="X", claimed="ones_like(S) * dsigmoid(N) @ W.T",
          note="read left to right, as numpy reads * and @"),
    Claim(f"{S000} §1.2.8 Functions with matrix multiplication", "formula",
          "dLambda/du(W) = X^T @ dLambda/du(S) * dsigma/du(N)",
          r"\frac{\partial \Lambda}{\partial u}(W) = X^{T} \,@\, "
          r"\frac{\partial \Lambda}{\partial u}(S) * \frac{\partial \sigma}{\partial u}(N)",
          case="matrix-sum", premise="sum(sigmoid(X @ W))", wrt="W",
          claimed="X.T @ ones_like(S) * dsigmoid(N)",
          note="read left to right, as numpy reads * and @, this is (X^T 1) * sigma'(N); the "
               "elementwise product must come first: X^T (1 * sigma'(N))"),
    Claim(f"{S000} §1.2.8 Functions with matrix multiplication", "code",
          "def matrix_function_backward_sum_1(X, W, sigma):\n    N = np.dot(X, W)\n"
          "    S = sigma(N)\n    L = np.sum(S)\n    dLdS = np.ones_like(S)\n"
          "    dSdN = deriv(sigma, N)\n    dLdN = dLdS * dSdN\n"
          "    dNdX = np.transpose(W, (1, 0))\n    dLdX = np.dot(dSdN, dNdX)\n    return dLdX",
          case="matrix-sum",
          note="it multiplies dSdN, not dLdN, by dNdX: right here only because dLdS is all ones"),
    Claim(f"{S002} Two 2D Matrix Inputs and One Matrix Output", "formula",
          "dO/du(X) = ones * W^T, (3x2)(2x3)",
          r"\frac{dO}{du}(X) = \mathbf{1}_{(3 \times 2)} \, W^{T}_{(2 \times 3)}",
          case="matrix-sum", premise="sum(X @ W)", wrt="X", claimed="ones_like(X @ W) @ W.T",
          note="the shapes printed under it, (3x2)(2x3), make * a matrix product"),
    Claim(f"{S002} The Backward Pass", "formula",
          "dL/dX = dLambda/du(S) x dsigma/du(N) x dgamma/du(X); note: second multiplication is "
          "element-wise multiplication, while first is matrix multiplication",
          r"\frac{dL}{dX} = \frac{d\Lambda}{du}(S) \times \frac{d\sigma}{du}(N) \times "
          r"\frac{d\gamma}{du}(X)", case="matrix-sum", premise="sum(sigmoid(X @ W))", wrt="X",
          claimed="ones_like(S) @ dsigmoid(N) * W.T",
          note="the note has the two products the wrong way round"),
    Claim(f"{S000} §1.3 Linear Regression as Neural Network", "formula",
          "dLambda/dW = dLambda/dP(P, Y) * dalpha/dN(N, B) * dnu/dW(X, W)",
          r"\frac{\partial \Lambda}{\partial W} = \frac{\partial \Lambda}{\partial P}(P,Y) * "
          r"\frac{\partial \alpha}{\partial N}(N,B) * \frac{\partial \nu}{\partial W}(X,W)",
          case="linear", premise="sum((y - (X @ W + B)) ** 2)", wrt="W",
          claimed="-2 * (y - P) * ones_like(N) * X.T",
          note="with the factors the section derives below it (dnu/dW = X^T); its code "
               "multiplies in the other order, X^T @ dLdN"),
    Claim(f"{S000} §1.3 Linear Regression as Neural Network", "formula",
          "dLambda/dB = dLambda/dP(P, Y) * dalpha/dB(N, B)",
          r"\frac{\partial \Lambda}{\partial B} = \frac{\partial \Lambda}{\partial P}(P,Y) * "
          r"\frac{\partial \alpha}{\partial B}(N,B)",
          case="linear", premise="sum((y - (X @ W + B)) ** 2)", wrt="B",
          claimed="-2 * (y - P) * ones_like(B)",
          note="B is broadcast over the batch, so its gradient needs a sum over the rows; the "
               "section's code has it (.sum(axis=0)), the formula does not"),
    Claim(f"{S000} §1.3 Linear Regression as Neural Network", "formula",
          "Since Lambda(P, Y) = (Y - P)^2, dLambda/dP(P, Y) = -1 * (2 * (Y - P)^2)",
          r"\frac{\partial \Lambda}{\partial P}(P, Y) = -1 * (2 * (Y - P)^2)", case="linear",
          premise="sum((y - P) ** 2)", wrt="P", claimed="-1 * (2 * (y - P) ** 2)"),
    Claim(f"{S000} §1.3 Linear Regression as Neural Network", "code",
          "def loss_gradients(forward_info, weights):\n"
          "    dLdP = -2 * (forward_info['y'] - forward_info['P'])\n"
          "    dPdN = np.ones_like(forward_info['N'])\n    dPdB = np.ones_like(weights['B'])\n"
          "    dLdN = dLdP * dPdN\n    dNdW = forward_info['X'].T\n    dLdW = dNdW @ dLdN\n"
          "    dLdB = (dLdP * dPdB).sum(axis=0)\n    ...", case="linear",
          note="the loss is a mean over the batch, so dLdP needs 1/N"),
    Claim(f"{S000} §1.4 Improved model: Neural Network", "formula",
          "dsigma/du(x) = sigma(x) * (1 - sigma(x))",
          r"\frac{\partial \sigma}{\partial u}(x) = \sigma(x) * (1 - \sigma(x))", case="sigmoid",
          premise="sigmoid(x)", wrt="x", claimed="sigmoid(x) * (1 - sigmoid(x))"),
    Claim(f"{S000} §1.4 Improved model: Neural Network", "code",
          "def loss_gradients(forward_info, weights):\n"
          "    #remove constant does not change the direction\n"
          "    dLdP = -(forward_info['y'] - forward_info['P'])\n    ...\n"
          "    dLdB2 = (dLdP * dPdB2).sum(axis=0)\n    ...\n"
          "    dLdB1 = (dLdN1 * dN1dB1).sum(axis=0)\n    ...\n"
          "    loss_gradients['B2'] = dLdB2.sum(axis=0)\n"
          "    loss_gradients['B1'] = dLdB1.sum(axis=0)", case="two-layer",
          note=f"the same code in {S001} §1.4; summing dLdB1 a second time adds the hidden "
               "units' bias gradients together"),
    Claim(f"{S002} Solving XOR with a Neural Network", "formula",
          "sigma(20*0 + 20*0 - 10) ~ 0, sigma(20*1 + 20*1 - 10) ~ 1, "
          "sigma(20*0 + 20*1 - 10) ~ 1, sigma(20*1 + 20*0 - 10) ~ 1",
          point=_OR_AND, claimed="sigmoid(20 * a + 20 * b - 10)", approx=(0, 1, 1, 1)),
    Claim(f"{S002} Solving XOR with a Neural Network", "formula",
          "sigma(-20*0 - 20*0 + 30) ~ 1, sigma(-20*1 - 20*1 + 30) ~ 0, "
          "sigma(-20*0 - 20*1 + 30) ~ 1, sigma(-20*1 - 20*0 + 30) ~ 1",
          point=_OR_AND, claimed="sigmoid(-20 * a - 20 * b + 30)", approx=(1, 0, 1, 1)),
    Claim(f"{S002} Solving XOR with a Neural Network", "formula",
          "sigma(20*0 + 20*1 - 30) ~ 0, sigma(20*1 + 20*0 - 30) ~ 0, "
          "sigma(20*1 + 20*1 - 30) ~ 1 (printed twice)",
          point={"a": [0.0, 1.0, 1.0], "b": [1.0, 0.0, 1.0]},
          claimed="sigmoid(20 * a + 20 * b - 30)", approx=(0, 0, 1)),
    Claim(f"{S002} Solving XOR with a Neural Network", "formula",
          "the network with these weights computes XOR of its two inputs", case="xor",
          claimed="sigmoid(sigmoid(X @ W1 + B1) @ W2 + B2)", approx=(0, 1, 1, 0)),
    Claim(f"{S003} derivative", "formula", "y = x W, dy/dx = W",
          r"\vec{y} = \vec{x} W, \quad \frac{d\vec{y}}{d\vec{x}} = W", point=_X,
          premise="x @ W", wrt="x", claimed="W", jacobian=True,
          note="the post's own Jacobian is m x n with a row per output; for y = x W that is W^T"),
    Claim(f"{S003} matrix by matrix", "formula", "dY_{i,:}/dX_{i,:} = W^T",
          r"\frac{\partial Y_{i,:}}{\partial X_{i,:}} = W^{T}", point=_X,
          premise="x @ W", wrt="x", claimed="W.T", jacobian=True),
    Claim(f"{S003} backpropagation", "formula",
          "dE/dW3 = X2^T delta3, delta3 = (X3 - T) o f3'(X2 W3)",
          r"\frac{\partial E}{\partial W_{3}} = X_{2}^{T} \delta_{3}, \quad "
          r"\delta_{3} = (X_{3} - T) \circ f_{3}'(X_{2} W_{3})", case="three-layer",
          premise=_THREE, wrt="W3", defs=_DELTAS, claimed="X2.T @ d3"),
    Claim(f"{S003} backpropagation", "formula",
          "dE/dW2 = X1^T delta2, delta2 = delta3 W3^T o f2'(X1 W2)",
          r"\frac{\partial E}{\partial W_{2}} = X_{1}^{T} \delta_{2}, \quad "
          r"\delta_{2} = \delta_{3} W_{3}^{T} \circ f_{2}'(X_{1} W_{2})", case="three-layer",
          premise=_THREE, wrt="W2", defs=_DELTAS, claimed="X1.T @ d2"),
    Claim(f"{S003} backpropagation", "formula",
          "dE/dW1 = [W2^T delta2 o f1'(X0 W1)] X0^T",
          r"\frac{\partial E}{\partial W_{1}} = \left[W_{2}^{T} \delta_{2} \circ "
          r"f_{1}'(X_{0} W_{1})\right] X_{0}^{T}", case="three-layer",
          premise=_THREE, wrt="W1", defs=_DELTAS, claimed="(W2.T @ d2 * dsigmoid(X0 @ W1)) @ X0.T"),
    Claim(f"{S003} backpropagation", "formula", "dE/dW1 = X0^T delta1",
          r"\frac{\partial E}{\partial W_{1}} = X_{0}^{T} \delta_{1}", case="three-layer",
          premise=_THREE, wrt="W1", defs=_DELTAS,
          claimed="X0.T @ (d2 @ W2.T * dsigmoid(X0 @ W1))",
          note="the post never defines delta1; read as the recursion's "
               "delta1 = delta2 W2^T o f1'(X0 W1)"),
)
