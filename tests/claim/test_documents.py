"""The documents' claims and the user's claims are judged one way: one grammar (derive.claim's
parser, with the documents' vocabulary switched on), one judge for a claimed gradient
(derive.claim.judge), one diagnosis vocabulary. The documents' formulas are data too."""

from __future__ import annotations

import pytest
from claim_modules import module

import derive.claims.judge as J
from derive.claim import FormulaError, check_module
from derive.claim import ast as A
from derive.claim.parse import parse
from derive.claims import CLAIMS, check_claims
from derive.errors import InputError
from derive.formula import Formula


def _formulas() -> list[str]:
    out: set[str] = set()
    for c in CLAIMS:
        out.update(t for t in (c.premise, c.claimed, c.truth, c.correction) if t)
        out.update(t for _, t in (*c.readings, *c.defs))
        out.update(c.stress[:2] if c.stress else ())
        out.update(c.predict[:1] if c.predict else ())
    return sorted(out)


def test_every_documents_formula_is_read_by_the_one_grammar() -> None:
    texts = _formulas()
    assert len(texts) >= 100
    for text in texts:
        f = Formula(text)
        assert f.parsed == parse(text, (), documents=True).tree
        assert isinstance(f.tree, A.Ast)
        assert not any(isinstance(x, A.Chain) for x in _nodes(f.tree)), text  # grouped


def _nodes(t: A.Ast) -> list[A.Ast]:
    out = [t]
    for v in vars(t).values():
        for x in (v if isinstance(v, tuple) else (v,)):
            if isinstance(x, A.Ast):
                out += _nodes(x)
    return out


def test_the_documents_vocabulary_is_a_switch() -> None:
    """N is a step of the documents and the batch size of derive claim; W[:, 0] and ones_like
    are the documents'; a numpy-style product chain reads left to right in both."""
    assert parse("N", (), documents=True).tree == A.Var("N")
    assert parse("N", ["X"]).tree == A.Size(None, 0)
    assert parse("W[:, 0]", (), documents=True).tree == A.Index(A.Var("W"), (None, 0))
    with pytest.raises(FormulaError, match="unexpected character ':'"):
        parse("W[:, 0]", ["W"])
    with pytest.raises(FormulaError, match="unknown name 'ones_like'"):
        parse("ones_like(S)", ["S"])
    assert parse("np.ones_like(S)", ["S"]).tree == A.Apply("ones_like", (A.Var("S"),))
    assert Formula("ones_like(S) * dsigmoid(N) @ W.T").tree == A.Bin(
        "matmul", A.Bin("mul", A.Apply("ones_like", (A.Var("S"),)),
                        A.Call("sigmoid", 1, A.Var("N"))), A.T(A.Var("W")))


@pytest.mark.parametrize("text", ["__import__('os').system('true')", "X.__class__",
                                  "open('f').read()", "lambda: 0", "X; import os", "f1(X)(Y)"])
def test_a_documents_formula_is_data(text: str) -> None:
    with pytest.raises(InputError):
        Formula(text)


def test_the_documents_derivatives_are_judged_by_derive_claims_judge(
        monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, str, str | None, str | None]] = []
    original = J.judged

    def spy(claim, text, env, truth):  # type: ignore[no-untyped-def]
        r = original(claim, text, env, truth)
        seen.append((claim.text, text, None if r is None else r.verdict,
                     None if r is None else r.diagnosis))
        return r

    monkeypatch.setattr(J, "judged", spy)
    results = {r.claim.text: r for r in check_claims()}
    assert len({t for t, *_ in seen}) >= 40
    assert all(v is not None for _, _, v, _ in seen)
    # a claim judged under one reading has derive claim's verdict and diagnosis
    compared = 0
    for text, formula, verdict, diagnosis in seen:
        r = results[text]
        if formula == r.claim.claimed and not r.readings[1:] and not r.claim.direction \
                and r.claim.stress is None:
            assert (r.verdict, r.diagnosis) == (verdict, diagnosis), text
            compared += 1
    assert compared >= 30
    wrong = {(t[:24], d) for t, _, v, d in seen if v == "wrong"}
    assert ("dgamma/dW = [x1, x2, x3]", "transposed") in wrong
    assert ("dLambda/dB = dLambda/dP(", "missing-sum") in wrong
    assert ("dLambda/du(X) = dnu/dX(X", "shape") in wrong


# (NAME, formula as the documents print it, the documents' verdict, derive claim's verdict)
# on examples/matrix_sum.py: L = sum(σ(X W)), the forward of 000 §1.2.8 and 002.
MATRIX_SUM = [
    ("X", "np.ones_like(S) * dsigmoid(N) @ W.T", "correct"),
    ("X", "dsigmoid(N) @ W.T", "correct"),  # right here: dL/dS is all ones (a hidden bug)
    ("X", "W.T * dsigmoid(N) * np.ones_like(S)", "wrong"),  # 000: shape
    ("X", "np.ones_like(S) @ dsigmoid(N) * W.T", "wrong"),  # 002: shape
    ("W", "X.T @ dsigmoid(N)", "correct"),
    ("W", "X.T @ (np.ones_like(S) * dsigmoid(N))", "correct"),
    ("W", "X.T @ np.ones_like(S) * dsigmoid(N)", "ambiguous"),  # 000: the text decides
]


@pytest.mark.parametrize(("name", "formula", "verdict"), MATRIX_SUM)
def test_the_documents_formulas_given_to_derive_claim(name: str, formula: str,
                                                      verdict: str) -> None:
    """The documents' own formulas, typed into derive claim, get the documents' verdicts."""
    r = check_module(module("sum"), name, formula)
    assert r.verdict == verdict, r.message
    if verdict == "wrong":
        assert r.diagnosis == "shape"
    if verdict == "ambiguous":
        assert [x.verdict for x in r.readings] == ["wrong", "correct"]
        assert r.readings[0].message.startswith("entries: 6 of 6 wrong")


def test_the_documents_groupings_are_the_grammar_s() -> None:
    """Every alternative grouping a claim lists is one of the grammar's own readings of the
    printed formula (a re-read operator, * as @, is not a grouping and is left out)."""
    checked = 0
    for c in CLAIMS:
        for label, text in c.readings:
            if label.startswith("* as"):
                continue
            printed = {t for t in A.readings(parse(c.claimed or "", (), documents=True).tree)}
            assert Formula(text).tree in printed, (c.text, label)
            checked += 1
    assert checked >= 2
