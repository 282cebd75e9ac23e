"""The matrix form equals the elementwise SymPy truth, for every case; exact results by hand.

The ground truth is ``sympy.diff`` of the scalar output with respect to every element
symbol (x_11, w_21, ...). Here the expected gradients are also written out independently,
with SymPy matrices of the same element symbols, so the engine is checked against the
formulas a reader would write, not only against itself.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
import sympy as sp

from derive import backward as B
from derive import elementwise as EW
from derive.cases import registry
from derive.cases.c07_two_layer import two_layer
from derive.check import CaseResult
from derive.errors import ProofTimeout
from derive.functions import sigmoid
from derive.graph import from_forward

ALL = list(registry())


def _zero(e: sp.Expr) -> bool:
    return EW.is_zero(sp.sympify(e))


def _dsig(t: sp.Expr) -> sp.Expr:
    return sigmoid(t) * (1 - sigmoid(t))


def _matrix(a: np.ndarray) -> sp.Matrix:
    return sp.Matrix(np.atleast_2d(a).tolist())


def _all_zero(a: object, b: object) -> bool:
    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    assert a.shape == b.shape, (a.shape, b.shape)
    return all(_zero(x - y) for x, y in zip(a.ravel(), b.ravel()))


def _symbolic_matrix_form(r: CaseResult, w: str) -> np.ndarray:
    """The matrix-form gradient evaluated on the element symbols (steps substituted)."""
    env = dict(r.elementwise.symbols)
    for s in r.graph.steps:
        env[s.name] = EW.evaluate(s.node, env)
    return EW.evaluate(r.backward.gradient(w), env)


@pytest.mark.parametrize("name", ALL)
def test_matrix_form_is_proved_equal_to_the_elementwise_truth(
        results: dict[str, CaseResult], name: str) -> None:
    r = results[name]
    assert r.ok
    assert r.elementwise is not None
    for w, g in r.gradients.items():
        assert g.proof is not None, w
        assert g.proof.proved, (w, g.proof.message)
        assert g.proof.entries == r.inputs[w].size
        assert g.proof.message == (
            f"matrix form - elementwise = 0 in all {r.inputs[w].size} entries")
        assert not g.proof.undecided
        # numerically too: compiled matrix form, hand-written pass and finite differences
        assert g.vs_matrix.ok and g.vs_fd.ok and (g.vs_hand is None or g.vs_hand.ok)


def test_chain_2_derivative_is_2x_sigma_prime_of_x_squared(
        results: dict[str, CaseResult]) -> None:
    r = results["chain-2"]
    x = r.elementwise.symbols["x"][()]
    assert r.elementwise.output == sigmoid(x**2)
    truth = r.elementwise.gradients["x"][()]
    assert sp.simplify(truth - 2 * x * _dsig(x**2)) == 0
    assert sp.simplify(_symbolic_matrix_form(r, "x")[()] - 2 * x * _dsig(x**2)) == 0


def test_chain_3_derivative_at_the_documents_point(results: dict[str, CaseResult]) -> None:
    """sigma'(lrelu(x)^2) 2 lrelu(x) lrelu'(x); for x < 0, lrelu(x) = x/5 and lrelu' = 1/5."""
    r = results["chain-3"]
    x = r.elementwise.symbols["x"][()]
    truth = r.elementwise.gradients["x"][()]
    expected_left = _dsig(x**2 / 25) * 2 * (x / 5) / 5
    at = -4
    assert sp.simplify((truth - expected_left).subs(x, at)) == 0
    assert sp.simplify((_symbolic_matrix_form(r, "x")[()] - expected_left).subs(x, at)) == 0


def test_add_and_mul_sigma_exact(results: dict[str, CaseResult]) -> None:
    r = results["add-sigma"]
    x, y = r.elementwise.symbols["x"][()], r.elementwise.symbols["y"][()]
    for w in ("x", "y"):
        assert _zero(r.elementwise.gradients[w][()] - _dsig(x + y))
    r = results["mul-sigma"]
    x, y = r.elementwise.symbols["x"][()], r.elementwise.symbols["y"][()]
    assert _zero(r.elementwise.gradients["x"][()] - y * _dsig(x * y))
    assert _zero(r.elementwise.gradients["y"][()] - x * _dsig(x * y))


def test_relu_derivative_is_the_step_function(results: dict[str, CaseResult]) -> None:
    r = results["relu"]
    x = r.elementwise.symbols["x"][()]
    assert r.elementwise.gradients["x"][()] == sp.Heaviside(x)


def test_row_vector_exact(results: dict[str, CaseResult]) -> None:
    """df/dX = sigma'(x1 w1 + x2 w2 + x3 w3) W^T, and df/dW = X^T sigma'(...)."""
    r = results["row-vector"]
    X, W = _matrix(r.elementwise.symbols["X"]), _matrix(r.elementwise.symbols["W"])
    n = (X * W)[0, 0]
    assert _all_zero(r.elementwise.gradients["X"], _dsig(n) * W.T)
    assert _all_zero(r.elementwise.gradients["W"], X.T * _dsig(n))


def test_matrix_sum_exact(results: dict[str, CaseResult]) -> None:
    """dL/dX = (sigma'(XW) * 1) W^T and dL/dW = X^T (sigma'(XW) * 1), entry by entry."""
    r = results["matrix-sum"]
    X, W = _matrix(r.elementwise.symbols["X"]), _matrix(r.elementwise.symbols["W"])
    ones = sp.ones(3, 2)
    dS = (X * W).applyfunc(_dsig).multiply_elementwise(ones)
    assert _all_zero(r.elementwise.gradients["X"], dS * W.T)
    assert _all_zero(r.elementwise.gradients["W"], X.T * dS)
    assert _all_zero(_symbolic_matrix_form(r, "X"), dS * W.T)
    assert _all_zero(_symbolic_matrix_form(r, "W"), X.T * dS)
    # L itself: the sum of the six sigma(XW_ij) of 000 §1.2.8
    assert _zero(r.elementwise.output - sum((X * W).applyfunc(sigmoid)))


def test_linear_regression_exact(results: dict[str, CaseResult]) -> None:
    """L = mean((y - XW - B)^2): dL/dW = -2/n X^T (y - P), dL/dB = -2/n sum(y - P)."""
    r = results["linear"]
    s = r.elementwise.symbols
    X, y, W, Bm = (_matrix(s[k]) for k in ("X", "y", "W", "B"))
    n = X.shape[0]
    resid = y - X * W - sp.ones(n, 1) * Bm
    assert _all_zero(r.elementwise.gradients["W"], -sp.Rational(2, n) * X.T * resid)
    assert _all_zero(r.elementwise.gradients["B"], sp.Matrix([[-sp.Rational(2, n) * sum(resid)]]))


def test_three_layer_delta3_exact(results: dict[str, CaseResult]) -> None:
    """003: dE/dW3 = X2^T delta3, delta3 = (X3 - T) o f3'(X2 W3)."""
    r = results["three-layer"]
    s = r.elementwise.symbols
    X0, T, W1, W2, W3 = (_matrix(s[k]) for k in ("X0", "T", "W1", "W2", "W3"))
    X1 = (X0 * W1).applyfunc(sigmoid)
    X2 = (X1 * W2).applyfunc(sigmoid)
    X3 = (X2 * W3).applyfunc(sigmoid)
    delta3 = (X3 - T).multiply_elementwise((X2 * W3).applyfunc(_dsig))
    assert _all_zero(r.elementwise.gradients["W3"], X2.T * delta3)


def test_the_proof_rejects_a_wrong_matrix_form(results: dict[str, CaseResult]) -> None:
    r = results["matrix-sum"]
    truth = r.elementwise.gradients["X"]
    wrong = truth.copy()
    wrong[1, 2] = 2 * wrong[1, 2]
    proof = EW.prove("X", wrong, truth)
    assert not proof.proved
    assert proof.message == "entries differ: [(1, 2)]"
    proof = EW.prove("X", truth.T, truth)  # 3x3: the transpose differs off the diagonal
    assert proof.message == "entries differ: [(0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1)]"
    tw = r.elementwise.gradients["W"]
    proof = EW.prove("W", tw.T, tw)
    assert not proof.proved and proof.message == "shape: matrix form (2, 3), elementwise (3, 2)"
    swapped = EW.prove("W", tw[:, ::-1], tw)
    assert swapped.refuted and swapped.message.startswith("entries differ: ")


@pytest.mark.timing
def test_a_wrong_entry_is_refuted_at_once(results: dict[str, CaseResult]) -> None:
    """Wall clock (run with -m timing): a counterexample, not a simplify run to the budget."""
    tw = results["matrix-sum"].elementwise.gradients["W"]
    assert EW.prove("W", tw[:, ::-1], tw).seconds < 5


def test_the_work_budget_stops_a_proof_the_same_way_every_time() -> None:
    """Counted in SymPy operations, not seconds: the outcome cannot depend on the load."""
    x, y = sp.symbols("x y", real=True)
    big = sp.expand((x + y + 1) ** 30)  # 496 terms
    small = EW.WorkBudget(total_ops=2_000, entry_ops=1_000)
    outcomes = set()
    for _ in range(3):
        p = EW.prove("X", np.array([big], dtype=object), np.array([big + 0], dtype=object),
                     budget=small)
        outcomes.add((p.proved, p.message))
    assert len(outcomes) == 1
    # a difference that is not literally 0: above the budget it is undecided, never refuted
    p = EW.prove("X", np.array([(x + y + 1) ** 60], dtype=object),  # 1,891 terms expanded
                 np.array([sp.expand((x + y + 1) ** 2) ** 30], dtype=object), budget=small)
    assert p.undecided and not p.refuted
    assert p.message.startswith("not proved: ") and "work budget 2000 operations" in p.message
    with pytest.raises(ProofTimeout, match=r"the elementwise output has \d+ operations "
                                           r"\(work budget 3\)"):
        EW.ground_truth(*_tiny_graph(), max_ops=3)


def _tiny_graph() -> tuple:
    from derive import expr as E

    x = E.leaf("x", (3,))
    out = E.reduce("sum", E.fn("tanh", E.mul(x, x)))
    return out, {"x": x}, ("x",)


def test_element_symbols_are_named_like_the_documents() -> None:
    X = EW.element_symbols("X", (3, 3))
    assert [str(s) for s in X[0]] == ["x_11", "x_12", "x_13"]
    assert sp.latex(X[2, 1]) == "x_{32}"
    assert sp.latex(EW.element_symbols("W1", (2, 1))[1, 0]) == "w^{(1)}_{21}"
    big = EW.element_symbols("X", (10, 2))
    assert str(big[9, 1]) == "x_10,2"


@pytest.mark.parametrize("n", [5, 500])
def test_the_matrix_form_does_not_grow_with_the_batch(n: int) -> None:
    d, h = 3, 4
    shapes = {"X": (n, d), "y": (n, 1), "W1": (d, h), "B1": (1, h), "W2": (h, 1), "B2": (1, 1)}
    graph = from_forward(two_layer, shapes, ("W1", "B1", "W2", "B2"))
    bw = B.derive(graph)
    from derive import expr as E
    from derive.printers import to_latex

    sizes = {w: len(E.topological(bw.gradient(w))) for w in graph.wrt}
    assert sizes == {"W1": 27, "B1": 26, "W2": 23, "B2": 22}
    assert to_latex(bw.gradient("W2")) == (
        r"O_{1}^{T} \, \left(-\left(\frac{\mathbf{1}}{n} \odot "
        r"\left(2 \, \left(y - P\right)\right)\right)\right)")


def test_a_timeout_is_undecided_and_a_difference_refutes() -> None:
    """Only a refuted proof is a disagreement; a proof out of time leaves the numbers to judge."""
    x, y = sp.symbols("x y", real=True)
    hard = sp.expand((sp.sin(x) + sp.cos(y) + x * y + 1) ** 12)
    slow = EW.prove("X", np.array([hard + sp.tanh(x) ** 2 + 1 / sp.cosh(x) ** 2 - 1],
                                  dtype=object), np.array([hard], dtype=object),
                    budget=EW.WorkBudget(total_ops=100_000, entry_ops=100_000))
    if not slow.proved:
        assert slow.timed_out and not slow.refuted
    wrong = EW.prove("X", np.array([x + 1], dtype=object), np.array([x], dtype=object))
    assert wrong.refuted and not wrong.timed_out


@pytest.mark.timing
def test_the_work_budget_stops_a_proof_quickly() -> None:
    """Wall clock (run with -m timing): the budget of 2,000 operations takes under a second."""
    x, y = sp.symbols("x y", real=True)
    big = sp.expand((x + y + 1) ** 30)
    small = EW.WorkBudget(total_ops=2_000, entry_ops=1_000)
    t0 = time.perf_counter()
    EW.prove("X", np.array([big], dtype=object), np.array([big + 0], dtype=object), budget=small)
    assert time.perf_counter() - t0 < 1.0


def test_opaque_applications_prove_zero_soundly() -> None:
    """Function applications as opaque symbols (their arguments expanded once) settle the
    three-layer network's entries faster; what they cannot settle falls to the full expand,
    and nothing nonzero is ever called zero."""
    from derive.proof import _expands_to_zero, _opaque_applications

    x, w, b = sp.symbols("x w b", real=True)
    s = sigmoid(x * (w + b))
    same = s * (1 - s) * w - (s - s**2) * w  # equal once products are expanded
    assert _opaque_applications(same).atoms(sp.Function) == set()
    assert sp.expand(_opaque_applications(same)) == 0 and _expands_to_zero(same)
    shuffled = sigmoid(x * w + x * b) - sigmoid(x * (w + b))  # the same argument, expanded
    assert sp.expand(_opaque_applications(shuffled)) == 0
    a, c = sp.symbols("a c")
    identity = sp.exp(a) * sp.exp(c) - sp.exp(a + c)  # opaque: not zero; expanded: zero
    assert sp.expand(_opaque_applications(identity)) != 0 and _expands_to_zero(identity)
    assert not _expands_to_zero(sigmoid(x) - sigmoid(w))
    assert not _expands_to_zero(s * w - s * b)
