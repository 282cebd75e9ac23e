"""The formula grammar: what it reads, how it groups, and the one line it gives for anything
else (column and what was expected). Nothing is evaluated while parsing."""

from __future__ import annotations

import pytest

from derive.claim import ast as A
from derive.claim.parse import parse
from derive.claim.tokens import FormulaError

NAMES = ["X", "y", "W1", "B1", "W2", "B2", "M1", "N1", "O1", "M2", "P", "L", "H"]


def tree(text: str, latex: bool | None = None) -> A.Ast:
    return parse(text, NAMES, latex).tree


def test_numpy_follows_python_precedence() -> None:
    t = A.readings(tree("2/n * X.T @ (P - y)"))[0]
    assert t == A.Bin("matmul", A.Bin("mul", A.Bin("div", A.Num(2.0), A.Size(None, 0)),
                                      A.T(A.Var("X"))), A.Bin("sub", A.Var("P"), A.Var("y")))


def test_latex_juxtaposition_is_a_matrix_product() -> None:
    t = A.readings(tree(r"\frac{2}{n} X^\top (P - y)"))[0]
    assert t == A.Bin("matmul", A.Bin("matmul", A.Bin("div", A.Num(2.0), A.Size(None, 0)),
                                      A.T(A.Var("X"))), A.Bin("sub", A.Var("P"), A.Var("y")))


@pytest.mark.parametrize("text", [r"X^T", r"X^\top", r"X^{T}", r"X^{\top}", "X'", "X.T", "Xᵀ"])
def test_every_transpose(text: str) -> None:
    assert tree(text) == A.T(A.Var("X"))


@pytest.mark.parametrize("text", [r"O1 \odot H", r"O1 \circ H", "O1 * H", "O1 ⊙ H"])
def test_every_elementwise_product(text: str) -> None:
    assert tree(text) == A.Chain((A.Var("O1"), A.Var("H")), ("mul",))


@pytest.mark.parametrize("text", [r"O1 \cdot W2", "O1 @ W2", "O1 W2", r"O_1 W_2", "O1·W2"])
def test_every_matrix_product(text: str) -> None:
    latex = "@" not in text
    assert tree(text, latex) == A.Chain((A.Var("O1"), A.Var("W2")), ("matmul",))


def test_functions_masks_sums_and_sizes() -> None:
    assert tree(r"\sigma'(N1)") == A.Call("sigmoid", 1, A.Var("N1"))
    assert tree("sigmoid(N1)") == A.Call("sigmoid", 0, A.Var("N1"))
    assert tree("np.tanh(N1)") == A.Call("tanh", 0, A.Var("N1"))
    assert tree("np.maximum(N1, 0)") == A.Call("relu", 0, A.Var("N1"))
    assert tree(r"\mathbb{1}[N1 > 0]") == A.Cmp(">", A.Var("N1"), A.Num(0.0))
    assert tree(r"\mathbf{1}_{N1 > 0}") == A.Cmp(">", A.Var("N1"), A.Num(0.0))
    assert tree(r"\sum_i P") == A.Reduce("sum", A.Var("P"), 0, True)
    assert tree(r"\sum_{i=1}^{n} P") == A.Reduce("sum", A.Var("P"), 0, True)
    assert tree("P.sum(axis=0, keepdims=True)") == A.Reduce("sum", A.Var("P"), 0, True)
    assert tree("np.mean(P, axis=1)") == A.Reduce("mean", A.Var("P"), 1, False)
    assert tree("X.shape[0]") == A.Size("X", 0)
    assert tree(r"\mathbf{1}^T P", True) == A.Chain((A.T(A.Ones()), A.Var("P")), ("matmul",))
    assert tree("H**2") == A.Bin("pow", A.Var("H"), A.Num(2.0))
    assert tree("H^2") == A.Bin("pow", A.Var("H"), A.Num(2.0))


def test_mixed_products_have_each_grouping() -> None:
    readings = A.readings(tree("X.T @ O1 * H"))
    assert readings == [
        A.Bin("mul", A.Bin("matmul", A.T(A.Var("X")), A.Var("O1")), A.Var("H")),
        A.Bin("matmul", A.T(A.Var("X")), A.Bin("mul", A.Var("O1"), A.Var("H"))),
    ]
    assert len(A.readings(tree(r"X^T O_1 \odot H"))) == 2


def test_names_run_together_split_into_known_names() -> None:
    product = A.Chain((A.Var("O1"), A.Var("W2")), ("matmul",))
    assert tree(r"O1W2 + B2", True) == A.Bin("add", product, A.Var("B2"))


@pytest.mark.parametrize("text,message", [
    ("(X", "at column 3: expected ')' closing the '(' at column 1, found the end of the formula"),
    ("X)", "at column 2: expected the end of the formula (this bracket closes nothing), found ')'"),
    (r"\left( X", r"at column 9: expected \right) closing the \left at column 1, found the end "
     "of the formula"),
    ("Q + X", "at column 1: unknown name 'Q': expected a name of your forward (B1, B2, H, L, "
     "M1, M2, N1, O1, P, W1, W2, X, y), n, a number or a function"),
    ("X @", "at column 4: expected a name of your forward (B1, B2, H, L, M1, M2, N1, O1, P, W1, "
     "W2, X, y), n, a number or a function, found the end of the formula"),
    ("__import__('os').system('ls')", "at column 1: unknown name '__import__': expected a name "
     "of your forward (B1, B2, H, L, M1, M2, N1, O1, P, W1, W2, X, y), n, a number or a "
     "function"),
    ("X; import os", "at column 2: unexpected character ';'"),
    ('eval("1")', "at column 6: unexpected character '\"'"),
    ("X.__class__", "at column 3: expected T, sum, mean or shape after '.', found '__class__'"),
    ("lambda: 0", "at column 7: unexpected character ':'"),
    (r"\frac{2}{n X", "at column 13: expected '}' closing the '{' at column 9, found the end of "
     "the formula"),
    (r"X^\alpha", r"at column 3: expected T, \top or a number after '^', found '\\alpha'"),
    ("", "at column 1: the formula is empty"),
])
def test_unreadable_formulas_name_the_column(text: str, message: str) -> None:
    with pytest.raises(FormulaError) as exc:
        parse(text, NAMES)
    assert str(exc.value) == f"cannot read the formula {message}"
    assert "\n" not in str(exc.value)


def test_parsing_never_evaluates(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("eval/exec called while parsing a formula")

    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    for text in ["2/n * X.T @ (P - y)", r"\frac{2}{n} X^\top (P - y)", "sigmoid(N1) * H"]:
        parse(text, NAMES)
    with pytest.raises(FormulaError):
        parse("__import__('os').system('echo pwned')", NAMES)


def test_too_long_formula() -> None:
    with pytest.raises(FormulaError, match="longer than 2000 characters"):
        parse("X + " * 600 + "X", NAMES)


@pytest.mark.parametrize("text", ["(" * 100 + "X" + ")" * 100, "-" * 200 + "X",
                                  r"\left(" * 70 + "X" + r"\right)" * 70])
def test_deep_nesting_is_refused_in_one_line(text: str) -> None:
    with pytest.raises(FormulaError, match="nested more than 60 deep"):
        parse(text, NAMES)


def test_unicode_is_latex() -> None:
    assert parse("Xᵀ·(2/n (P − y))", NAMES).notation == "latex"
    t = A.readings(tree("σ′(N1) ⊙ H"))[0]
    assert t == A.Bin("mul", A.Call("sigmoid", 1, A.Var("N1")), A.Var("H"))


def test_too_many_symbols() -> None:
    with pytest.raises(FormulaError) as exc:
        parse("+".join(["X"] * 400), NAMES)
    assert str(exc.value) == ("cannot read the formula at column 301: the formula has more "
                              "than 300 symbols")
