"""The context the templates print: text with math, chain-rule factors, expanded matrices."""

from __future__ import annotations

import pytest
import sympy as sp
from derive.reports import context as C
from derive.reports.latex import code, latex_escape
from derive.reports.mixed import mixed
from derive.reports.notebook import case_latex
from derive.reports.text import shape_text
from derive.reports.training_view import training_context

from derive.entries import fold_sigma_prime
from derive.functions import sigmoid


@pytest.mark.parametrize("text, expected", [
    ("at x = 2", [("text", "at "), ("math", "x = 2")]),
    (r"S = \sigma(\nu(X, W)), X 1x3 and W 3x1",
     [("math", r"S = \sigma(\nu(X, W))"), ("text", ", "), ("math", "X"), ("text", " 1x3 and "),
      ("math", "W"), ("text", " 3x1")]),
    (r"f_1 = leaky ReLU, at x = -4 (the chain's input)",
     [("math", "f_1 ="), ("text", " leaky ReLU, at "), ("math", "x = -4"),
      ("text", " (the chain's input)")]),
    ("drawn after np.random.seed(190203)", [("text", "drawn after np.random.seed(190203)")]),
    ("a $x^2$ b", [("text", "a "), ("math", "x^2"), ("text", " b")]),
    ("unbalanced {x_1", [("text", "unbalanced {x_1")]),
])
def test_mixed_text_and_math(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(s["kind"], s["value"]) for s in mixed(text)] == expected


def test_sigma_times_one_minus_sigma_reads_as_sigma_prime() -> None:
    x, w = sp.symbols("x w")
    e = w * sigmoid(x) * (1 - sigmoid(x)) + sigmoid(w)
    assert sp.latex(fold_sigma_prime(e)) == r"w \sigma'\left(x\right) + \sigma\left(w\right)"


@pytest.mark.parametrize("value, text", [
    ((), "scalar"), ((3, 2), "3×2"), ((5,), "5"),
])
def test_shape_text(value: tuple[int, ...], text: str) -> None:
    assert shape_text(value) == text


def case_context(checked, name: str) -> dict:
    results, claims = checked
    return C.case_context(next(r for r in results if r.case.name == name), claims)


def test_factors_carry_the_slides_shapes(checked) -> None:
    factors = {f["target"]: f for f in case_context(checked, "matrix-sum")["factors"]}
    assert factors["dLdX"]["shapes"] == "(3×2) @ (2×3) → (3×3)"
    assert factors["dLdW"]["shapes"] == "(3×3) @ (3×2) → (3×2)"
    assert factors["dLdN"]["shapes"] == "(3×2) ⊙ (3×2) → (3×2)"
    assert factors["dLdX"]["defs"] == [r"\frac{\partial N}{\partial X} = W^{T}"]
    assert factors["dLdX"]["tex"] == (
        r"\underset{(3 \times 3)}{\frac{\partial L}{\partial X}} = "
        r"\underset{(3 \times 2)}{\frac{\partial L}{\partial N}} \, "
        r"\underset{(2 \times 3)}{\frac{\partial N}{\partial X}}")
    assert all(f["layout_ok"] for f in factors.values())


def test_bias_factors_say_the_batch_is_summed(checked) -> None:
    factors = {f["target"]: f for f in case_context(checked, "two-layer")["factors"]}
    assert factors["dLdB1"]["shapes"] == ("(5×4) passed through, summed over rows (undoing the "
                                          "broadcast) → (1×4)")


def test_the_gradient_written_out_like_000(checked) -> None:
    grads = {g["name"]: g for g in case_context(checked, "matrix-sum")["gradients"]}
    ew = grads["X"]["elementwise"]
    assert ew["tex"].startswith(
        r"\frac{\partial L}{\partial X} = \begin{bmatrix}w_{11} \sigma'\left(n_{11}\right) + "
        r"w_{12} \sigma'\left(n_{12}\right) & ")
    assert ew["legend"] == [{"symbol": "n_{ij}", "step": "N"}]
    assert grads["X"]["proof"] == {"ok": True,
                                   "text": "proved: matrix form - elementwise = 0 in all 9 entries"}


def test_big_gradients_are_not_written_out(checked) -> None:
    grads = {g["name"]: g for g in case_context(checked, "three-layer")["gradients"]}
    assert grads["W1"]["elementwise"]["tex"] is None
    assert grads["W1"]["elementwise"]["omitted"].startswith("not written out")


def test_wrong_as_printed_code_is_shown_beside_the_generated(checked) -> None:
    c = case_context(checked, "linear")
    assert [a["text"].splitlines()[0] for a in c["as_printed_code"]] == [
        "def loss_gradients(forward_info, weights):"]
    assert c["gradients"][0]["table"]["header"][-1] == "as printed"


def test_jupyter_reprs(checked) -> None:
    results, _ = checked
    r = next(r for r in results if r.case.name == "row-vector")
    page = r._repr_html_()
    assert "<math" in page and "<svg" in page and "<html" not in page
    tex = case_latex(r)
    assert tex.startswith(r"$$\begin{array}{l}") and r"\nu\left(X, W\right)" in tex


def test_the_training_hook_renders_nothing_without_training() -> None:
    assert training_context(None) is None


def test_latex_escape_and_code() -> None:
    assert latex_escape("%_&#$ [0, 1] a<b") == r"\%\_\&\#\$ {[}0, 1{]} a\textless{}b"
    assert code("def f(x):\n    return x_1  # 100%\n") == (
        "\\begin{codeblock}\ndef\\ f(x):\\\\\n~~~~return\\ x{\\char95}1\\ \\ "
        "{\\char35}\\ 100{\\char37}\n\\end{codeblock}")
