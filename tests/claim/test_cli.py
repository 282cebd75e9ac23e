"""``derive claim`` as a user runs it: real processes (python -m derive claim ...), exit status,
one line on stderr for an unreadable formula, JSON, batch table and page."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from claim_modules import MODULES, ROOT


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "derive", "claim", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


LR = str(MODULES["lr"])
TWO = str(MODULES["two"])


def test_right_claim_exit_0() -> None:
    p = run(LR, "W", "2/n * X.T @ (P - y)")
    assert p.returncode == 0, p.stderr
    assert "  verdict:   correct (right at 2 sets of shapes, 4 points)" in p.stdout
    assert "  read as:   (2 / n Xᵀ)·(P − y)" in p.stdout


def test_latex_claim_exit_0() -> None:
    p = run(TWO, "W1", r"X^T \left( \frac{2}{n}(P - y) W_2^T \odot \sigma'(N1) \right)")
    assert p.returncode == 0, p.stderr
    assert "your formula (latex)" in p.stdout


def test_wrong_claim_teaches() -> None:
    p = run(TWO, "W1", "X.T @ ((P - y) @ W2.T * O1 * (1 - O1))")
    assert p.returncode == 1
    out = p.stdout
    assert "  verdict:   wrong: scaled: your formula is n/2 times the gradient (a missing 2/n)" \
        in out
    assert "  right:     X.T @ (((((2.0 / n) * (P - y)) @ W2.T) * O1) * (1.0 - O1))" in out
    assert "the right gradient, step by step (the shape under each factor):" in out
    assert "  ∂L/∂O1 = ∂L/∂M2 · W2ᵀ" in out
    assert ("your formula departs at ∂L/∂P = 2 / n (P − y): you have P − y, which is n/2 "
            "(4 at n = 8) times ∂L/∂P") in out


def test_forced_latex() -> None:
    p = run(LR, "W", "2/n X^T (P - y)", "--latex")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "your formula (latex)" in p.stdout
    p = run(LR, "W", "2/n X.T (P - y)")  # numpy style has no juxtaposition
    assert p.returncode == 2


def test_json() -> None:
    p = run(LR, "W", "X.T @ (P - y)", "--json")
    assert p.returncode == 1
    data = json.loads(p.stdout)
    assert data["verdict"] == "wrong" and data["diagnosis"] == "scaled"
    assert data["factor"] == "n/2"
    assert data["correct"] == "X.T @ ((2.0 / n) * (P - y))"
    assert data["latex"] == r"X^{T} \, \left(\frac{2}{n} \, \left(P - y\right)\right)"
    assert data["readings"][0]["text"] == "Xᵀ·(P − y)"
    assert data["checked"]["n"] == [8, 9]
    assert data["departs"]["step"] == "∂L/∂P"


def test_ambiguous_with_a_right_reading_exits_0() -> None:
    p = run(str(MODULES["sum"]), "W", "X.T @ S * (1 - S)", "--json")
    assert p.returncode == 0
    data = json.loads(p.stdout)
    assert data["verdict"] == "ambiguous"
    assert [r["verdict"] for r in data["readings"]] == ["wrong", "correct"]


@pytest.mark.parametrize("formula,column", [
    ("X.T @ (P - y", "column 13: expected ')' closing the '(' at column 7"),
    (r"\left( X^T (P - y)", r"column 19: expected \right) closing the \left at column 1"),
    ("X.T @ Q", "column 7: unknown name 'Q'"),
])
def test_unreadable_formula_exit_2_one_line(formula: str, column: str) -> None:
    p = run(LR, "W", formula)
    assert p.returncode == 2
    assert p.stdout == ""
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("derive: error: cannot read the formula at ")
    assert column in lines[0]


def test_code_injection_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    for formula in (f"__import__('os').system('touch {marker}')",
                    f"exec(\"open('{marker}', 'w')\")",
                    f"X.T @ (P - y) + __import__('os').system('touch {marker}')",
                    r"\input{/etc/passwd}"):
        p = run(LR, "W", formula)
        assert p.returncode == 2, formula
        assert len(p.stderr.splitlines()) == 1 and "Traceback" not in p.stderr
    assert not marker.exists()


def test_bad_arguments_exit_2() -> None:
    assert run(LR, "Q", "X").stderr.strip() == (
        "derive: error: 'Q' is not an argument of forward (X, y, W, B): the gradient is taken "
        "with respect to one of them")
    p = run(LR, "W")
    assert p.returncode == 2 and "give NAME and FORMULA" in p.stderr


CLAIMS = """\
# the two-layer network, derived on paper
W2: 2/n * O1.T @ (P - y)
B2: np.sum(2/n * (P - y), axis=0, keepdims=True)
- W1: X.T @ ((P - y) @ W2.T * O1 * (1 - O1))
B1: \\sum_i \\frac{2}{n} (P - y) W_2^T \\odot O_1 \\odot (1 - O_1)
W1: X.T @ (P - y <script>alert(1)</script>
"""


def test_batch_table_json_and_page(tmp_path: Path) -> None:
    claims = tmp_path / "claims.md"
    claims.write_text(CLAIMS, encoding="utf-8")
    page = tmp_path / "claims.html"
    p = run(TWO, "--from", str(claims), "--html", str(page))
    assert p.returncode == 1, p.stderr
    rows = [line.split()[:3] for line in p.stdout.splitlines()[1:6]]
    assert rows == [["2", "W2", "correct"], ["3", "B2", "correct"], ["4", "W1", "wrong"],
                    ["5", "B1", "correct"], ["6", "W1", "unreadable"]]
    assert "3 of 5 claims right" in p.stdout
    html = page.read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.splitlines()[1].startswith("<!-- derive claim page")
    assert "n/2 times the gradient" in html
    data = json.loads(run(TWO, "--from", str(claims), "--json").stdout)
    assert [c["verdict"] for c in data["claims"]] == ["correct", "correct", "wrong", "correct",
                                                       "unreadable"]
    again = run(TWO, "--from", str(claims), "--html", str(page))  # our own page: replaced
    assert again.returncode == 1


def test_page_never_overwrites_a_users_file(tmp_path: Path) -> None:
    claims = tmp_path / "claims.md"
    claims.write_text("W2: 2/n * O1.T @ (P - y)\n", encoding="utf-8")
    mine = tmp_path / "notes.html"
    mine.write_text("my notes", encoding="utf-8")
    p = run(TWO, "--from", str(claims), "--html", str(mine))
    assert p.returncode == 2 and "refusing to overwrite" in p.stderr
    assert mine.read_text(encoding="utf-8") == "my notes"


def test_claims_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text("W2 2/n * O1.T\n", encoding="utf-8")
    p = run(TWO, "--from", str(bad))
    assert p.returncode == 2
    assert p.stderr.strip() == "derive: error: bad.md:1: expected 'NAME: formula', got " \
        "'W2 2/n * O1.T'"
    p = run(TWO, "--from", str(tmp_path / "missing.md"))
    assert p.returncode == 2 and "cannot read" in p.stderr
