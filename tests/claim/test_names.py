"""The gradient's names: ∂L/∂N spelled N, dLdN, dL/dN, ∂L/∂N or \\frac{\\partial L}{\\partial N}, as
the claim's target (NAME, and the left side of a --from line) and, inside a formula, as the
derived gradient of an intermediate. Right and wrong formulas in each spelling; exit status
0 right, 1 wrong, 2 unreadable with one line."""

from __future__ import annotations

import subprocess
import sys

import pytest
from claim_modules import MODULES, ROOT, module

from derive.claim import FormulaError, check_module, read_claims
from derive.claim import ast as A
from derive.claim.names import target
from derive.claim.parse import parse
from derive.errors import InputError

TWO_NAMES = ["X", "y", "W1", "B1", "W2", "B2", "M1", "N1", "O1", "M2", "P", "L"]

TARGETS = ["W1", "dLdW1", "dL/dW1", "∂L/∂W1", r"\frac{\partial L}{\partial W1}",
           r"\frac{\partial L}{\partial W_1}", r"\frac{dL}{dW_{1}}",
           r"$\dfrac{\partial L}{\partial W1}$",
           "dL/dW_1", " ∂L / ∂W1 "]


@pytest.mark.parametrize("text", TARGETS)
def test_every_spelling_of_the_target(text: str) -> None:
    assert target(text, ["X", "W1", "B1"]) == "W1"


def test_a_subscript_is_the_forward_s_own_spelling() -> None:
    assert target(r"\frac{\partial L}{\partial W_1}", ["W_1", "X"]) == "W_1"
    assert target("dLdW_1", ["W1"]) == "W1"


@pytest.mark.parametrize("text", ["W 1", "dL/d", "∂E/∂W1", "__import__('os')", "dL/dW1/dX",
                                  r"\frac{\partial L}{W1}", ""])
def test_an_unreadable_target_is_one_line(text: str) -> None:
    with pytest.raises(InputError) as e:
        target(text)
    assert "\n" not in str(e.value)
    assert str(e.value).startswith("cannot read the gradient's name ")
    assert str(e.value).endswith(r"expected W1, dLdW1, dL/dW1, ∂L/∂W1 or "
                                 r"\frac{\partial L}{\partial W1}")


@pytest.mark.parametrize(("text", "latex"), [
    ("dLdP", None), ("dL/dP", None), ("∂L/∂P", None), (r"\frac{\partial L}{\partial P}", None),
    (r"\frac{dL}{dP}", None), (r"\partial L / \partial P", None), ("dLdP", True),
])
def test_every_spelling_inside_a_formula_is_the_gradient_of_p(text: str,
                                                              latex: bool | None) -> None:
    assert parse(f"O1.T @ {text}" if latex is None and "\\" not in text else f"O1^T {text}",
                 TWO_NAMES, latex).tree.items[1] == A.Grad("P")  # type: ignore[attr-defined]


def test_a_latex_subscript_on_an_upstream_gradient() -> None:
    assert parse(r"\frac{\partial L}{\partial O_1}", TWO_NAMES).tree == A.Grad("O1")
    assert parse(r"dLdO_{1}", TWO_NAMES, latex=True).tree == A.Grad("O1")


def test_a_name_of_the_forward_wins_over_the_spelling() -> None:
    assert parse("dLdP", [*TWO_NAMES, "dLdP"]).tree == A.Var("dLdP")


# (target, formula, verdict, diagnosis) on examples/two_layer.py; mean loss, so dLdP = 2/n (P − y)
CASES = [
    ("dLdW2", "O1.T @ dLdP", "correct", None),
    ("dL/dW2", r"O_1^T \frac{\partial L}{\partial P}", "correct", None),
    ("∂L/∂W2", "O1.T @ ∂L/∂P", "correct", None),
    (r"\frac{\partial L}{\partial W_2}", r"O_1^\top \frac{dL}{dP}", "correct", None),
    ("W2", "O1.T @ (2/n * (P - y))", "correct", None),
    ("dLdW1", "X.T @ (dLdP @ W2.T * O1 * (1 - O1))", "correct", None),
    ("dL/dW1", "X.T @ dLdN1", "correct", None),
    ("∂L/∂W1", r"X^T \left(\frac{\partial L}{\partial O_1} \odot O_1 \odot (1 - O_1)\right)",
     "correct", None),
    (r"\frac{\partial L}{\partial B1}", "dLdN1.sum(axis=0, keepdims=True)", "correct", None),
    ("dLdB2", "np.sum(dL/dP, axis=0, keepdims=True)", "correct", None),
    # wrong ones, each diagnosed
    ("dLdW2", "2 * O1.T @ dLdP", "wrong", "scaled"),
    ("dL/dW2", "-(O1.T @ dLdP)", "wrong", "sign"),
    ("∂L/∂W2", "dLdP.T @ O1", "wrong", "transposed"),
    (r"\frac{\partial L}{\partial W1}", r"\frac{\partial L}{\partial M_1} X^T", "wrong", "shape"),
    ("dLdB1", "dLdN1", "wrong", "missing-sum"),
    ("W1", "X.T @ (dLdO1 * O1)", "wrong", "entries"),
]


@pytest.mark.parametrize(("name", "formula", "verdict", "diagnosis"), CASES,
                         ids=[f"{c[0]}:{c[1][:24]}" for c in CASES])
def test_right_and_wrong_with_gradient_names(name: str, formula: str, verdict: str,
                                             diagnosis: str | None) -> None:
    r = check_module(module("two"), name, formula)
    assert (r.verdict, r.diagnosis) == (verdict, diagnosis), r.message
    assert r.name == target(name, TWO_NAMES)
    assert r.exit_status == (0 if verdict == "correct" else 1)


def test_an_upstream_gradient_prints_as_one() -> None:
    r = check_module(module("two"), "dL/dW2", "2 * O1.T @ dLdP")
    first = r.readings[0]
    assert (first.text, first.code) == ("(2 O1ᵀ)·∂L/∂P", "(2.0 * O1.T) @ dLdP")
    assert first.latex == r"\left(2 \, O_{1}^{T}\right) \, \frac{\partial L}{\partial P}"
    r = check_module(module("two"), "W1", "dLdN1 @ X.T")
    assert r.message.startswith("shape: ∂L/∂N1 (n×4) times Xᵀ (3×n) is no matrix product")


def test_a_right_formula_with_an_upstream_gradient_is_proved() -> None:
    r = check_module(module("two"), "W1", "X.T @ dLdN1")
    assert r.checked["symbolic"].startswith("equal to the derived gradient entry by entry")


def test_the_departure_names_the_upstream_gradient_it_had_right() -> None:
    r = check_module(module("two"), "W1", "X.T @ (dLdO1 * O1)")
    assert r.departs is not None
    assert r.departs.text().startswith("your formula departs at ∂L/∂N1 = ∂L/∂O1 ⊙ O1 ⊙ (1 − O1)"
                                       ": your formula has ∂L/∂O1 right")


@pytest.mark.parametrize(("formula", "says"), [
    ("X.T @ dLdW1", "column 7: the formula uses ∂L/∂W1, the gradient it claims"),
    ("X.T @ dLdQ", "column 7: unknown name ∂L/∂Q: the gradient is of L with respect to"),
    (r"X^T \frac{\partial E}{\partial N1}", "column 20: expected L (the loss) in ∂L/∂..., "
     "found 'E'"),
    ("X.T @ dL/dN1/", "expected"),
])
def test_an_unusable_gradient_name_cannot_be_read(formula: str, says: str) -> None:
    with pytest.raises(FormulaError) as e:
        check_module(module("two"), "W1", formula)
    assert says in str(e.value) and "\n" not in str(e.value)


def test_a_gradient_off_the_path_cannot_be_used() -> None:
    """∂L/∂W1 does not pass through B2's gradient... but ∂L/∂B2 = Σ ∂L/∂P: W2 is reached
    from P, N1 is not on the way from L to W2."""
    with pytest.raises(FormulaError) as e:
        check_module(module("two"), "W2", "O1.T @ dLdN1")
    assert "∂L/∂N1 is not on the way from L to W2" in str(e.value)


def test_a_claims_file_reads_every_spelling(tmp_path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "claims.md"
    f.write_text("".join(f"{t.strip()}: X.T @ dLdN1\n" for t in TARGETS[:7]), encoding="utf-8")
    rows = read_claims(f)
    assert [target(n, TWO_NAMES) for _, n, _ in rows] == ["W1"] * 7
    f.write_text("W1: X.T @ dLdN1\ndL/dW 1: X\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_claims(f)
    assert str(e.value).startswith("claims.md:2: cannot read the gradient's name 'dL/dW 1'")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "derive", "claim", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


TWO = str(MODULES["two"])


def test_exit_status_for_each_spelling(tmp_path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "claims.md"
    f.write_text("dLdW2: O1.T @ dLdP\n"
                 "dL/dW1: X.T @ dLdN1\n"
                 "∂L/∂B2: np.sum(dLdP, axis=0, keepdims=True)\n"
                 r"\frac{\partial L}{\partial W_1}: X^T \frac{\partial L}{\partial N_1}" "\n",
                 encoding="utf-8")
    p = run(TWO, "--from", str(f), "--json")
    assert p.returncode == 0, p.stdout + p.stderr
    assert '"verdict": "correct"' in p.stdout and '"verdict": "wrong"' not in p.stdout
    p = run(TWO, r"\frac{\partial L}{\partial W2}", "2 * O1.T @ dLdP")
    assert p.returncode == 1
    assert "wrong: scaled" in p.stdout
    p = run(TWO, "dL/dW 2", "O1.T @ dLdP")
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.count("\n") == 1 and "cannot read the gradient's name 'dL/dW 2'" in p.stderr
    p = run(TWO, "∂L/∂W2", "O1.T @ dLdW2")
    assert p.returncode == 2 and p.stderr.count("\n") == 1
    assert "the gradient it claims" in p.stderr


def test_a_right_value_in_the_wrong_shape_departs_at_the_last_step() -> None:
    """sum(dL/dP) for a 1×1 bias: every value right, a scalar; the departure says so instead
    of pointing at an earlier step."""
    r = check_module(module("lr"), "B", "sum(dLdP)")
    assert r.verdict == "wrong" and r.diagnosis == "shape"
    assert r.departs is not None and r.departs.step.target == "∂L/∂B"
    assert "every value is right" in r.departs.how and "a scalar" in r.departs.how
