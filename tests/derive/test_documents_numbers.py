"""The documents' printed numbers, reproduced through the engine's check path.

Each number is asserted twice: as a literal written here, and through the case's
``Printed`` record and the ``PrintedCheck`` that ``check_case`` builds from it, so a
changed case cannot silently pass. The documents' backward values come from central
differences (delta = 0.001) inside their code; the "as printed" variants reproduce them to
the last digit, and the exact symbolic values stand beside them, the difference being the
difference quotient's truncation error, delta^2 / 6 times the third derivative.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from derive.cases import registry
from derive.check import CaseResult, PrintedCheck

DOC_DELTA = sp.Rational(1, 1000)  # the documents' deriv step
MANUAL_DELTA = sp.Rational(1, 10000)  # 000 §1.2.4 [10], the manual check's step

# (case, what, value as printed, digits printed): every Printed record of every case.
PRINTED = [
    ("square", "x", 3.999999999995595, None),
    ("chain-2", "forward", 0.9820137900379085, None),
    ("chain-2", "x", 0.0706508353807067, None),
    ("chain-2", "x", 0.07065082585744342, None),
    ("chain-3", "forward", 0.6547534606063192, None),
    ("chain-3", "x", -0.07233643296206184, None),
    ("add-sigma", "forward", 0.9990889488055994, None),
    ("add-sigma", "x", 0.0009102213310852036, None),
    ("add-sigma", "y", 0.0009102213310852036, None),
    ("row-vector", "X-input", [[0.47231121, 0.61514271, -1.72622715]], 8),
    ("row-vector", "forward", [[0.89779986]], 8),
    ("row-vector", "X", [[0.08516695, -0.05574581, -0.11206627]], 8),
    ("matrix-sum", "forward", 2.3755, 4),
    ("matrix-sum", "X", [[0.2488887, -0.37478057, 0.01121962],
                         [0.12604152, -0.27807404, -0.13945837],
                         [0.22992798, -0.36623443, -0.02252592]], 8),
]

# Printed numbers that the documents' code does not give: why, in one line each.
NOT_REPRODUCED = {("square", "x"): "one 9 fewer"}

u = sp.Symbol("u", real=True)
SIGMA = 1 / (1 + sp.exp(-u))


def _d(f: sp.Expr, k: int, at: sp.Expr) -> sp.Expr:
    return sp.diff(f, u, k).subs(u, at)


def _printed_check(result: CaseResult, what: str, value: object) -> PrintedCheck:
    """The PrintedCheck for the record with this ``what`` and exactly this value."""
    for pc in result.printed:
        if pc.printed.what == what and np.array_equal(np.asarray(pc.printed.value),
                                                      np.asarray(value)):
            return pc
    raise AssertionError(f"{result.case.name}: no printed record {what!r} = {value!r}")


def test_the_literals_here_are_every_printed_record_of_the_cases() -> None:
    found = [(name, p.what, p.value, p.digits)
             for name, case in registry().items() for p in case.printed]
    assert len(found) == len(PRINTED)
    for row in PRINTED:
        assert any(r[0] == row[0] and r[1] == row[1] and r[3] == row[3]
                   and np.array_equal(np.asarray(r[2]), np.asarray(row[2])) for r in found), row


@pytest.mark.parametrize(("name", "what", "value", "digits"), PRINTED,
                         ids=[f"{r[0]}-{r[1]}-{i}" for i, r in enumerate(PRINTED)])
def test_each_printed_number_is_reproduced_by_the_documents_code(
        results: dict[str, CaseResult], name: str, what: str, value: object,
        digits: int | None) -> None:
    pc = _printed_check(results[name], what, value)
    assert pc.printed.source.split(" ")[0] in results[name].case.source
    if (name, what) in NOT_REPRODUCED:
        assert not pc.reproduces
        assert NOT_REPRODUCED[(name, what)] in pc.printed.note
        return
    assert pc.reproduces, (name, what, pc.reproduced)
    got = np.asarray(pc.reproduced, dtype=np.float64).reshape(np.shape(value))
    if digits is None:  # printed in full: reproduced to the last digit
        assert got.tolist() == value
    else:
        np.testing.assert_array_equal(np.round(got, digits), np.asarray(value))


# --- forward values -----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "value", "exact"), [
    ("chain-2", 0.9820137900379085, SIGMA.subs(u, 4)),
    ("chain-3", 0.6547534606063192, SIGMA.subs(u, sp.Rational(16, 25))),
    ("add-sigma", 0.9990889488055994, SIGMA.subs(u, 7)),
])
def test_forward_values_to_the_last_digit(results: dict[str, CaseResult], name: str,
                                          value: float, exact: sp.Expr) -> None:
    r = results[name]
    assert r.forward["as_printed"] == value
    assert r.forward["symbolic"] == pytest.approx(value, rel=1e-15, abs=0)
    assert r.forward["matrix"] == pytest.approx(value, rel=1e-15, abs=0)
    assert float(exact) == pytest.approx(value, rel=1e-15, abs=0)


def test_row_vector_forward_to_the_eight_places_printed(results: dict[str, CaseResult]) -> None:
    r = results["row-vector"]
    np.testing.assert_array_equal(np.round(r.inputs["X"], 8),
                                  [[0.47231121, 0.61514271, -1.72622715]])
    assert np.round(np.asarray(r.forward["as_printed"]), 8).tolist() == [[0.89779986]]
    assert round(r.forward["symbolic"], 8) == 0.89779986


def test_matrix_sum_loss_to_the_four_places_printed(results: dict[str, CaseResult]) -> None:
    r = results["matrix-sum"]
    assert round(float(r.forward["as_printed"]), 4) == 2.3755
    assert round(r.forward["symbolic"], 4) == 2.3755
    np.testing.assert_array_equal(np.round(r.inputs["X"], 8), [
        [-1.57752816, -0.6664228, 0.63910406],
        [-0.56152218, 0.73729959, -1.42307821],
        [-1.44348429, -0.39128029, 0.1539322]])


# --- backward values: as printed, exact, and the difference explained ----------------------

# The documents' chain_deriv multiplies one central difference per factor. Square and leaky
# ReLU are exact under a central difference (at most quadratic, away from the kink), so the
# whole error is sigma's: delta^2/6 sigma'''(u) times the other factors.
BACKWARD = [
    ("chain-2", "x", 0.0706508353807067, 0.07065082485316447,
     4 * _d(SIGMA, 1, 4), 4 * DOC_DELTA**2 / 6 * _d(SIGMA, 3, 4)),
    ("chain-3", "x", -0.07233643296206184, -0.07233643725771789,
     sp.Rational(1, 5) * sp.Rational(-8, 5) * _d(SIGMA, 1, sp.Rational(16, 25)),
     sp.Rational(1, 5) * sp.Rational(-8, 5) * DOC_DELTA**2 / 6
     * _d(SIGMA, 3, sp.Rational(16, 25))),
    ("add-sigma", "x", 0.0009102213310852036, 0.0009102211801218265,
     _d(SIGMA, 1, 7), DOC_DELTA**2 / 6 * _d(SIGMA, 3, 7)),
    ("add-sigma", "y", 0.0009102213310852036, 0.0009102211801218265,
     _d(SIGMA, 1, 7), DOC_DELTA**2 / 6 * _d(SIGMA, 3, 7)),
]


@pytest.mark.parametrize(("name", "wrt", "printed", "exact_literal", "exact", "truncation"),
                         BACKWARD, ids=[f"{r[0]}-{r[1]}" for r in BACKWARD])
def test_backward_as_printed_beside_the_exact_value(
        results: dict[str, CaseResult], name: str, wrt: str, printed: float,
        exact_literal: float, exact: sp.Expr, truncation: sp.Expr) -> None:
    g = results[name].gradients[wrt]
    # the documents' code, as printed, to the last digit
    assert float(g.as_printed) == printed
    assert g.vs_printed is not None and g.vs_printed.ok
    # the exact value: elementwise SymPy, lambdified; and the matrix form; both as here
    assert float(exact) == pytest.approx(exact_literal, rel=1e-15, abs=0)
    # (float64 sigma (1 - sigma) near sigma = 1 loses a few of the last digits: 1e-13)
    assert float(g.exact) == pytest.approx(exact_literal, rel=1e-13, abs=0)
    assert float(g.matrix) == pytest.approx(exact_literal, rel=1e-13, abs=0)
    # the difference is the central difference's truncation error, not a mistake
    diff = printed - float(exact)
    assert diff != 0
    assert diff == pytest.approx(float(truncation), rel=2e-2)
    assert abs(diff / float(exact)) < 2e-4  # inside AS_PRINTED_RTOL's reach


def test_manual_deriv_of_000_1_2_4(results: dict[str, CaseResult]) -> None:
    """manual_deriv: one central difference of the whole chain, step 0.0001."""
    pc = _printed_check(results["chain-2"], "x", 0.07065082585744342)
    assert pc.reproduces and pc.reproduced == 0.07065082585744342
    x = sp.Symbol("x", real=True)
    f = SIGMA.subs(u, x**2)
    exact = float(sp.diff(f, x).subs(x, 2))
    assert pc.exact == pytest.approx(exact, rel=1e-14, abs=0)
    truncation = float(MANUAL_DELTA**2 / 6 * sp.diff(f, x, 3).subs(x, 2))
    assert pc.reproduced - exact == pytest.approx(truncation, rel=2e-2)


def test_deriv_square_at_2(results: dict[str, CaseResult]) -> None:
    """deriv(square, 2): the code gives 3.9999999999995595; the documents print one 9 fewer."""
    r = results["square"]
    g = r.gradients["x"]
    assert float(g.as_printed) == 3.9999999999995595
    assert float(g.exact) == 4.0 and float(g.matrix) == 4.0
    pc = r.printed[0]
    assert pc.printed.value == 3.999999999995595 and not pc.reproduces
    assert pc.reproduced == 3.9999999999995595
    # the print is the code's value with one digit lost: remove one 9 and they agree
    full, shown = repr(3.9999999999995595), repr(3.999999999995595)
    assert len(full) == len(shown) + 1 and full.replace("9", "", 1) == shown
    # neither is 4 exactly: round-off of (2.001^2 - 1.999^2) / 0.002 in float64
    assert pc.max_diff_exact == pytest.approx(4.0 - 3.999999999995595)


def test_row_vector_backward_as_printed(results: dict[str, CaseResult]) -> None:
    g = results["row-vector"].gradients["X"]
    printed = [[0.08516695, -0.05574581, -0.11206627]]
    np.testing.assert_array_equal(np.round(g.as_printed, 8), printed)
    np.testing.assert_allclose(g.exact, printed, rtol=0, atol=5e-8)
    np.testing.assert_allclose(g.matrix, g.exact, rtol=1e-13)


def test_matrix_sum_dLdX_as_printed_in_000_1_2_8(results: dict[str, CaseResult]) -> None:
    g = results["matrix-sum"].gradients["X"]
    printed = [[0.2488887, -0.37478057, 0.01121962],
               [0.12604152, -0.27807404, -0.13945837],
               [0.22992798, -0.36623443, -0.02252592]]
    np.testing.assert_array_equal(np.round(g.as_printed, 8), printed)
    # the exact dL/dX = (sigma'(XW) * 1) W^T agrees with the print to its 8 places
    np.testing.assert_allclose(g.exact, printed, rtol=0, atol=5e-8)
    np.testing.assert_allclose(g.matrix, g.exact, rtol=1e-13)
    assert g.proof is not None and g.proof.proved


def test_matrix_sum_one_sided_check_0_2489(results: dict[str, CaseResult]) -> None:
    """000 §1.2.8 [29]: (L(X + 0.001 e_11) - L(X)) / 0.001, rounded to 4 places."""
    r = results["matrix-sum"]
    X, W = r.inputs["X"], r.inputs["W"]
    X1 = X.copy()
    X1[0, 0] += 0.001
    step = (r.code.forward(X=X1, W=W) - r.code.forward(X=X, W=W)) / 0.001
    assert round(float(step), 4) == 0.2489
    assert round(float(r.gradients["X"].exact[0, 0]), 4) == 0.2489


# --- every printed output, found in the documents' text -------------------------------------


def _as_printed_text(value: float) -> str:
    """A number as Python or numpy printed it: repr for a full float, else trimmed digits."""
    return repr(float(value))


def test_every_registered_output_is_printed_in_its_document(seeds: dict[str, str]) -> None:
    """Each number of numeric.doc_outputs occurs in the document it cites: the registry
    holds the documents' prints, not values of our own."""
    from derive.numeric.doc_outputs import OUTPUTS

    for out in OUTPUTS:
        text = seeds[out.source.split(" ")[0]]
        for v in np.ravel(np.asarray(out.printed, dtype=np.float64)):
            assert _as_printed_text(v) in text, (out.label, v)
