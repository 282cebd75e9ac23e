"""`derive list`, `derive show`, `derive check`: the output contract of the engine issue."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from derive.reports.cli import main

from derive.cases import registry
from derive.claims import VERDICTS


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_one_line_per_case_with_source(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "list")
    lines = out.splitlines()
    assert code == 0
    assert [line.split()[0] for line in lines] == list(registry())
    assert len(lines) == len(registry()) >= 1
    for line in lines:
        assert ".txt" in line  # each cites a document file


def test_show_prints_steps_factors_forms_and_proof(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "show", "matrix-sum")
    assert code == 0
    assert "N = X·W" in out and "S = σ(N)" in out
    assert "∂L/∂X = ∂L/∂N·Wᵀ" in out
    assert "(3×2) @ (2×3) → (3×3)" in out  # the slides' shape annotation
    assert "∂L/∂X = (𝟙 ⊙ σ'(N))·Wᵀ" in out  # matrix form, upstream substituted
    assert "∂L/∂x_11 = w_11*σ'(n_11) + w_12*σ'(n_12)" in out  # elementwise, as 000 §1.2.8
    assert out.count("proof: proved") == 2


def test_show_two_layer_names_every_gradient(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "show", "two-layer", "--no-prove")
    assert code == 0
    for w in ("W1", "B1", "W2", "B2"):
        assert f"∂L/∂{w}, matrix form:" in out
    assert "∂L/∂W1 = Xᵀ·∂L/∂M1" in out
    assert "as printed wrong (collapsed)" in out  # the documents' B1 bug, at the point


@pytest.mark.parametrize("argv", [["show", "nosuch"], ["check", "nosuch"], ["check", "xor", "x"]])
def test_unknown_case_is_one_line_listing_known(capsys: pytest.CaptureFixture[str],
                                                argv: list[str]) -> None:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "unknown case" in err and "two-layer" in err and "Traceback" not in err


def test_check_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "check", "chain-2", "linear", "--json", "--no-prove")
    doc = json.loads(out)
    assert code == 0 and doc["ok"] is True
    names = [c["name"] for c in doc["cases"]]
    assert names == ["chain-2", "linear"]
    chain = doc["cases"][0]
    assert chain["source"].startswith("000_") and chain["ok"] is True
    assert chain["values"]["symbolic"]["forward"] == pytest.approx(0.9820137900379085, abs=0)
    assert chain["values"]["as_printed"]["gradients"]["x"] == 0.0706508353807067
    linear = doc["cases"][1]
    w = linear["values"]["symbolic"]["gradients"]["W"]
    assert len(w) == 3 and len(w[0]) == 1  # nested lists, shaped like W (3x1)
    assert linear["checks"]["W"]["as_printed"]["diagnosis"] == "scaled"
    assert linear["checks"]["W"]["as_printed"]["factor"] == pytest.approx(5.0)
    kinds = {c["kind"] for c in doc["claims"]}
    assert kinds <= {"formula", "code"} and doc["claims"]
    for c in doc["claims"]:
        assert set(c) >= {"source", "kind", "text", "verdict", "diagnosis"}
        assert c["verdict"] in VERDICTS


def test_check_table_and_exit_status_from_the_shell() -> None:
    proc = subprocess.run([sys.executable, "-m", "derive", "check", "matrix-sum", "row-vector"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "2 of 2 cases agree three ways" in proc.stdout
    assert "matrix-sum" in proc.stdout and "proved" in proc.stdout


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "derive report" in capsys.readouterr().out


def test_show_reads_the_statement_without_latex(capsys: pytest.CaptureFixture[str]) -> None:
    from derive.reports.text import tex_text

    assert tex_text(r"M_1 = \nu(X, W_1), L = \Lambda(P, y)") == "M₁ = ν(X, W₁), L = Λ(P, y)"
    assert tex_text(r"E = \tfrac{1}{2} \lVert X_3 - T \rVert^2") == "E = ½ ‖ X₃ - T ‖²"
    code, out, _ = run_cli(capsys, "show", "two-layer", "--no-prove")
    assert "O₁ = σ(N₁)" in out and "\\nu" not in out


def test_show_names_the_gradients_after_the_documents_loss(
        capsys: pytest.CaptureFixture[str]) -> None:
    """003's post writes E = ½‖X3 − T‖² and ∂E/∂W1: so does `derive show three-layer`, from
    the chain rule to the elementwise entries (the code's names stay dLdW1)."""
    code, out, _ = run_cli(capsys, "show", "three-layer", "--no-prove")
    assert code == 0
    assert "∂E/∂W3 = X2ᵀ·(∂E/∂X3 ⊙ σ'(X2·W3))" in out
    assert "∂E/∂W1, matrix form:" in out and "∂E/∂w1_11 = " in out
    assert "∂L" not in out


def test_the_loss_name_is_one_letter_and_only_inside_its_block() -> None:
    from derive.printers import loss_named, name_latex, name_text

    with loss_named("E"):
        assert name_text("dLdW1") == "∂E/∂W1"
        assert name_latex("dLdW1") == r"\frac{\partial E}{\partial W_{1}}"
        with loss_named("loss"):  # not one letter: the default
            assert name_text("dLdW1") == "∂L/∂W1"
        assert name_text("dLdX") == "∂E/∂X"
    assert name_text("dLdW1") == "∂L/∂W1"
