"""The claims corpus judged through the API: verdict, diagnosis and factor of every formula,
each written by hand with its expected verdict (tests/claim/claim_corpus.py)."""

from __future__ import annotations

import pytest
from claim_corpus import ALL, AMBIGUOUS
from claim_modules import module

from derive.claim import check_module
from derive.claim.parse import parse


def _id(row: tuple) -> str:
    return f"{row[0]}-{row[1]}-{row[2][:40]}"


def test_corpus_is_large_and_covers_every_diagnosis() -> None:
    assert len(ALL) >= 40
    diagnoses = {d for *_, d, _ in ALL if d}
    assert {"scaled", "sign", "transposed", "shape", "missing-sum", "entries"} <= diagnoses
    notations = {parse(f, ["X", "y", "P", "O1", "W2", "N1", "S", "V", "Z", "A", "H", "Y", "T",
                           "X0", "X2", "X3", "W1", "N", "W", "S"]).notation
                 for m, w, f, v, *_ in ALL if v == "correct" and m in ("lr", "softmax")}
    assert notations == {"numpy", "latex"}  # right ones in both notations


@pytest.mark.parametrize("row", ALL, ids=_id)
def test_claim(row: tuple) -> None:
    key, name, formula, verdict, diagnosis, factor = row
    r = check_module(module(key), name, formula)
    assert (r.verdict, r.diagnosis) == (verdict, diagnosis), r.message
    if factor is not None:
        assert r.factor == factor, r.message
    if verdict == "correct":
        assert r.exit_status == 0 and r.departs is None
    if verdict == "wrong":
        assert r.exit_status == 1


@pytest.mark.parametrize("row", AMBIGUOUS, ids=_id)
def test_ambiguous_readings_are_each_judged(row: tuple) -> None:
    key, name, formula, *_ = row
    r = check_module(module(key), name, formula)
    assert len(r.readings) == 2
    verdicts = [x.verdict for x in r.readings]
    if r.diagnosis is None:  # one reading right: exit 0, and the message says which
        assert verdicts == ["wrong", "correct"]
        assert r.exit_status == 0
        assert "Xᵀ·(S ⊙ (1 − S))" in r.message and "add brackets" in r.message
    else:
        assert verdicts == ["wrong", "wrong"] and r.exit_status == 1


def test_scalars_do_not_make_a_formula_ambiguous() -> None:
    r = check_module(module("lr"), "W", "2/n * X.T @ (P - y)")
    assert len(r.readings) == 1  # (2/n Xᵀ)(P − y) and 2/n (Xᵀ(P − y)) are one value


def test_a_factor_that_depends_on_n_is_written_with_n() -> None:
    r = check_module(module("two"), "W1", "X.T @ ((P - y) @ W2.T * O1 * (1 - O1))")
    assert r.factor == "n/2"
    assert r.message == "scaled: your formula is n/2 times the gradient (a missing 2/n)"
    assert r.checked["n"] == [8, 9]


def test_a_size_written_as_a_number_is_caught_at_the_second_shape() -> None:
    r = check_module(module("tanh"), "W2", "2/(n*2) * H.T @ (P - y)")
    assert r.verdict == "wrong"
    assert "right at X=6x3" in r.message and "a size written as a number?" in r.message


def test_shape_problems_are_described_in_words() -> None:
    r = check_module(module("lr"), "W", "2/n * X @ (P - y)")
    assert r.message == ("shape: 2 / n X (n×3) times P − y (n×1) is no matrix product: the columns "
                         "of the first (3) must match the rows of the second (n)")
    r = check_module(module("two"), "B2", "np.sum(2/n * (P - y))")
    assert r.message == ("shape: your formula is a scalar, but ∂L/∂B2 has the shape of B2 "
                         "(1×1) (its values are right)")


def test_transposed_and_missing_sum_messages() -> None:
    r = check_module(module("lr"), "W", "2/n * (P - y).T @ X")
    assert r.message == "transposed: your formula is 1×3, the transpose of ∂L/∂W (3×1)"
    r = check_module(module("two"), "B1", "2/n * (P - y) @ W2.T * O1 * (1 - O1)")
    assert r.message.startswith("missing-sum: your formula is n×4; summed over the batch it "
                                "would be right")


def test_right_formula_in_the_claims_notation() -> None:
    numpy = check_module(module("lr"), "W", "X.T @ (P - y)")
    assert numpy.correct == "X.T @ ((2.0 / n) * (P - y))"
    latex = check_module(module("lr"), "W", r"X^T (P - y)")
    assert latex.correct == r"X^{T} \, \left(\frac{2}{n} \, \left(P - y\right)\right)"


@pytest.mark.parametrize("key,name", [("lr", "W"), ("lr", "B"), ("two", "W1"), ("two", "B1"),
                                      ("tanh", "W1"), ("relu", "W"), ("sum", "X")])
def test_the_right_formula_read_back_is_correct(key: str, name: str) -> None:
    """The printed right formula, numpy and LaTeX alike, parses and is judged correct."""
    wrong = check_module(module(key), name, "X")
    for formula in (wrong.correct, wrong.correct_latex):
        again = check_module(module(key), name, formula)
        assert again.verdict == "correct", (formula, again.message)


def test_departure_names_the_first_wrong_step() -> None:
    r = check_module(module("two"), "W1", "X.T @ ((P - y) @ W2.T * O1 * (1 - O1))")
    assert r.departs is not None
    assert r.departs.step.target == "∂L/∂P"
    assert r.departs.how == "you have P − y, which is n/2 (4 at n = 8) times ∂L/∂P"
    r = check_module(module("softmax"), "W", "X.T @ (P - Y)")
    assert r.departs is not None and r.departs.step.target == "∂L/∂Z"
    assert r.departs.how.startswith("you have P − Y, which is n (5 at n = 5) times")


def test_steps_carry_shapes_under_each_factor() -> None:
    r = check_module(module("two"), "W1", "X")
    lines = [x for s in r.steps for x in s.lines()]
    assert "∂L/∂O1 = ∂L/∂M2 · W2ᵀ" in lines
    k = lines.index("∂L/∂O1 = ∂L/∂M2 · W2ᵀ")
    assert lines[k + 1].split() == ["n×1", "1×4"]


def test_right_claims_are_proved_symbolically() -> None:
    r = check_module(module("two"), "W1", "X.T @ ((2/n * (P - y)) @ W2.T * O1 * (1 - O1))")
    assert r.checked["symbolic"] == (
        "equal to the derived gradient entry by entry in SymPy at X=3x3, y=3x1, W1=3x2, "
        "B1=1x2, W2=2x1, B2=1x1 with n a symbol")


def test_the_symbolic_check_keeps_n_a_symbol() -> None:
    """At the small shape n = 2: a literal 2/2 agrees there in value, but not as 2/n."""
    from derive.claim.parse import parse
    from derive.claim.symbolic import prove

    m = module("lr")
    names = ["X", "y", "W", "B", "N", "P", "L"]
    wrong = parse("2/2 * X.T @ (P - y)", names).tree
    assert prove(wrong, m.function("forward"), m.shapes(), "W", False).startswith(
        "differs from the derived gradient in SymPy at X=2x3")
    right = parse("2/X.shape[0] * X.T @ (P - y)", names).tree
    assert prove(right, m.function("forward"), m.shapes(), "W", False).endswith(
        "with n a symbol")
    r = check_module(module("softmax"), "W", "X.T @ (P - Y) / n")
    assert r.checked["symbolic"].startswith("not checked symbolically: inputs(rng) gives data")


def test_json_contract() -> None:
    r = check_module(module("lr"), "W", "X.T @ (P - y)").to_json()
    assert {"verdict", "diagnosis", "factor", "readings", "correct", "latex", "checked"} <= set(r)
    assert r["verdict"] == "wrong" and r["factor"] == "n/2"
    assert r["readings"][0]["text"] == "Xᵀ·(P − y)"


@pytest.mark.parametrize("key,name,formula,fixed", [
    ("softmax", "W", "X.T @ (P - Y)", "(1.0 / n) * (X.T @ (P - Y))"),
    ("softmax", "b", "(P - Y) / n", "np.sum((P - Y) / n, axis=0, keepdims=True)"),
    ("lr", "W", "2/n * X.T @ (y - P)", "-(((2.0 / n) * X.T) @ (y - P))"),
    ("lr", "W", "X.T @ (P - y)", "(2.0 / n) * (X.T @ (P - y))"),
    ("lr", "W", "2/n * (P - y).T @ X", "(((2.0 / n) * ((P - y).T)) @ X).T"),
    ("two", "W1", "X.T @ (2/n * (P - y) @ W2.T * sigmoid(N1))", None),  # entries: no fix
])
def test_the_claim_corrected_in_its_own_words(key: str, name: str, formula: str,
                                              fixed: str | None) -> None:
    r = check_module(module(key), name, formula)
    assert (None if r.corrected is None else r.corrected.code) == fixed
    if fixed is not None:
        assert r.corrected.verdict == "correct"
        assert check_module(module(key), name, fixed).verdict == "correct"
