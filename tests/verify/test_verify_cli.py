"""``derive verify`` through reports.cli.main: exit status, one-line errors, JSON, --fix, --html."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from derive.usermodule import load

MODULES = Path(__file__).resolve().parent / "modules"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
Cli = Callable[..., tuple[int, str, str]]


def _mod(stem: str) -> str:
    return str(MODULES / f"{stem}.py")


def _one_line_error(rc: int, out: str, err: str) -> str:
    assert rc == 2, (rc, out, err)
    assert out == ""
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith("derive: error: "), err
    return err.strip().removeprefix("derive: error: ")


# ------------------------------------------------------------ exit 2: could not check


def test_missing_file(cli: Cli, tmp_path: Path) -> None:
    msg = _one_line_error(*cli("verify", str(tmp_path / "nope.py")))
    assert msg == f"no such file: {tmp_path / 'nope.py'}"


def test_unreadable_file(cli: Cli, tmp_path: Path) -> None:
    msg = _one_line_error(*cli("verify", str(tmp_path)))
    assert msg.endswith("it is a directory, not a Python file")
    bad = tmp_path / "bytes.py"
    bad.write_bytes(b"\xff\xfe\x00junk")
    assert "not UTF-8" in _one_line_error(*cli("verify", str(bad)))


def test_syntax_error(cli: Cli, tmp_path: Path) -> None:
    p = tmp_path / "typo.py"
    p.write_text("def forward(x):\n    return x +\n")
    assert _one_line_error(*cli("verify", str(p))).startswith("syntax error in typo.py:2: ")


def test_missing_function(cli: Cli) -> None:
    msg = _one_line_error(*cli("verify", _mod("missing_function")))
    assert msg == ("missing_function.py defines no function 'backward'; it defines: SHAPES, "
                   "forward, backwards")


def test_other_function_names(cli: Cli) -> None:
    rc, out, _ = cli("verify", _mod("missing_function"), "--backward", "backwards", "--no-prove")
    assert rc == 0 and "x  ok" in out
    msg = _one_line_error(*cli("verify", _mod("scaled"), "--forward", "fwd"))
    assert msg.startswith("scaled.py defines no function 'fwd'")


def test_backward_returning_a_non_argument_name(cli: Cli) -> None:
    msg = _one_line_error(*cli("verify", _mod("bad_name")))
    assert msg == "backward returned 'Z', which is not an argument of forward (X, W)"


def test_non_dict_return(cli: Cli) -> None:
    msg = _one_line_error(*cli("verify", _mod("not_dict")))
    assert msg == ("backward must return a dict mapping argument names to gradient arrays, "
                   "got tuple")


def test_nan_input(cli: Cli) -> None:
    msg = _one_line_error(*cli("verify", _mod("nan_input")))
    assert msg == "input x is not finite at point 1: nan at index (1,)"


def test_forward_failing_on_the_given_shapes(cli: Cli) -> None:
    msg = _one_line_error(*cli("verify", _mod("bad_shapes")))
    assert msg.startswith("forward fails on the given shapes X=3x2, W=3x1: ValueError:")
    assert msg.endswith("(bad_shapes.py:9)")
    msg = _one_line_error(*cli("verify", _mod("no_shapes"), "--shape", "X=4x3",
                               "--shape", "W=2x1"))
    assert msg.startswith("forward fails on the given shapes X=4x3, W=2x1")


@pytest.mark.parametrize(("stem", "expected"), [
    ("raises", r"forward raised RuntimeError: the user's own failure \(raises\.py:10\)"),
    ("raises_in_backward", r"backward raised KeyError: 'b' \(raises_in_backward\.py:15\)"),
    ("raises_at_import", (r"importing raises_at_import\.py raised FileNotFoundError: .* "
                          r"\(raises_at_import\.py:5\)")),
])
def test_user_code_raising(cli: Cli, stem: str, expected: str) -> None:
    assert re.fullmatch(expected, _one_line_error(*cli("verify", _mod(stem))))


@pytest.mark.parametrize("bad", ["X=3,2", "X", "X=3x2x", "X=eval('1')"])
def test_malformed_shape(cli: Cli, bad: str) -> None:
    msg = _one_line_error(*cli("verify", _mod("no_shapes"), "--shape", bad))
    assert msg.startswith(f"malformed --shape {bad!r}")


def test_missing_shape(cli: Cli) -> None:
    msg = _one_line_error(*cli("verify", _mod("no_shapes")))
    assert msg == ("no shape for 'X': add it to SHAPES, pass --shape X=AxB, or return it from "
                   "inputs(rng)")


def test_usage_errors_are_one_line(cli: Cli, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli("verify", _mod("scaled"), "--fd", "some")
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "invalid choice" in err
    with pytest.raises(SystemExit):
        cli("verify", _mod("scaled"), "--json", "--fix")


# ------------------------------------------------------------ exit 0 and 1


def test_shape_option_overrides_the_module(cli: Cli) -> None:
    rc, out, _ = cli("verify", _mod("scaled"), "--shape", "X=5x3", "--shape", "y=5x1", "--json")
    assert rc == 1 and json.loads(out)["gradients"]["W"]["factor"] == 5.0


def test_human_output(cli: Cli) -> None:
    rc, out, err = cli("verify", _mod("collapsed"), "--no-prove")
    assert rc == 1 and err == ""
    assert "forward, traced (X constant):" in out
    assert "  N = X·W + B" in out
    assert "derived gradient (matrix form, by the chain rule):" in out
    assert "  ∂L/∂B = sum_rows(∂L/∂N)" in out
    assert re.search(r"^B  wrong\s+collapsed\s+max rel error n/a: collapsed:", out, re.MULTILINE)
    assert re.search(r"^W  ok\s+-\s+max rel error 0$", out, re.MULTILINE)
    assert out.rstrip().endswith("1 of 2 gradients wrong: B (run with --fix for the right ones)")


def test_numeric_only_is_said(cli: Cli) -> None:
    rc, out, _ = cli("verify", _mod("fallback_sort_scaled"))
    assert rc == 1
    assert "not traced: the tracer cannot map numpy.sort" in out
    assert "[numeric only]" in out


def test_kink_exit_zero(cli: Cli) -> None:
    rc, out, _ = cli("verify", _mod("kink_max"), "--no-prove")
    assert rc == 0 and "at a kink: any subgradient passes" in out


def test_json_contract(cli: Cli) -> None:
    rc, out, err = cli("verify", _mod("entries"), "--json", "--points", "2", "--seed", "4")
    assert rc == 1 and err == ""
    data = json.loads(out)
    assert set(data) == {"schema", "derive_version", "ok", "mode", "points", "seed", "shapes",
                      "constants", "numeric_only_reason", "notes", "proof", "gradients"}
    assert data["ok"] is False and data["schema"] == "derive.verify/2"
    assert set(data["gradients"]) == {"X", "W"}
    for g in data["gradients"].values():
        assert set(g) == {"verdict", "diagnosis", "factor", "message", "max_abs_error",
                          "max_rel_error", "tolerance", "entries", "point", "numeric_only",
                          "miss_probability", "taylor_slope", "proved"}
    assert data["gradients"]["W"]["entries"] == [[3, 7]]
    assert data["gradients"]["W"]["verdict"] == "wrong"
    assert data["gradients"]["W"]["diagnosis"] == "entries"
    x = {k: data["gradients"]["X"][k]
         for k in ("verdict", "diagnosis", "factor", "max_rel_error", "entries", "numeric_only")}
    assert x == {"verdict": "ok", "diagnosis": None, "factor": None, "max_rel_error": 0.0,
                 "entries": [], "numeric_only": False}


def test_json_numeric_only_and_nondifferentiable(cli: Cli) -> None:
    rc, out, _ = cli("verify", _mod("fallback_sort"), "--json")
    assert rc == 0 and json.loads(out)["gradients"]["x"]["numeric_only"] is True
    rc, out, _ = cli("verify", _mod("kink_abs"), "--json")
    g = json.loads(out)["gradients"]["x"]
    assert rc == 0 and g["verdict"] == "nondifferentiable" and g["entries"] == [[0], [3]]


# ------------------------------------------------------------ --fix


def _pasted(out: str) -> str:
    return out[out.index("import numpy\n"):]


def test_fix_compiles_and_gives_the_right_gradient(cli: Cli) -> None:
    rc, out, _ = cli("verify", str(EXAMPLES / "two_layer_as_printed.py"), "--fix", "--no-prove")
    assert rc == 1
    assert "fix for B1 (collapsed): the right gradient in matrix form" in out
    assert "LaTeX: \\frac{\\partial L}{\\partial B_{1}} = " in out
    namespace: dict = {}
    exec(compile(_pasted(out), "<pasted>", "exec"), namespace)  # noqa: S102 - our own output
    right = load(EXAMPLES / "two_layer.py").module
    rng = np.random.default_rng(1)
    point = {k: rng.standard_normal(s) for k, s in right.SHAPES.items()}
    got, expected = namespace["backward"](**point), right.backward(**point)
    assert set(got) == set(expected)
    for k in expected:
        np.testing.assert_allclose(got[k], expected[k], rtol=1e-12, atol=1e-15)
    assert "dLdP = " in _pasted(out) and "dM2dW2 = " in _pasted(out)


def test_fix_pasted_code_uses_documents_names_and_helpers(cli: Cli) -> None:
    rc, out, _ = cli("verify", _mod("sign"), "--fix", "--no-prove")
    assert rc == 1
    code = _pasted(out)
    # only what the code calls: tanh' is written through the forward value, 1 - S * S
    assert "tanh = np.tanh" in code and "def d1_tanh(u):" not in code
    assert "(1.0 - (S * S))" in code
    ns: dict = {}
    exec(compile(code, "<pasted>", "exec"), ns)  # noqa: S102 - our own output
    X, W = np.ones((4, 3)), np.full((3, 2), 0.1)
    expected = X.T @ (1 - np.tanh(X @ W) ** 2)
    np.testing.assert_allclose(ns["backward"](X=X, W=W)["W"], expected, rtol=1e-12)


def test_fix_when_right_and_when_not_traced(cli: Cli) -> None:
    _, out, _ = cli("verify", _mod("scalar"), "--fix", "--no-prove")
    assert "nothing to fix" in out
    _, out, _ = cli("verify", _mod("fallback_sort_scaled"), "--fix")
    assert "no fix: the tracer cannot map numpy.sort" in out


# ------------------------------------------------------------ --html


def test_html_page_is_self_contained(cli: Cli, tmp_path: Path) -> None:
    page = tmp_path / "v.html"
    rc, out, _ = cli("verify", str(EXAMPLES / "two_layer_as_printed.py"), "--html", str(page),
                     "--no-prove")
    assert rc == 1 and f"wrote {page}" in out
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert "http" not in html and "<script" not in html and "<link" not in html
    assert "<math" in html and "collapsed" in html and "def backward(" in html
    assert not list(tmp_path.glob(".*tmp"))


def test_html_escapes_user_text(cli: Cli, tmp_path: Path) -> None:
    user = tmp_path / "esc.py"
    user.write_text(
        "import numpy as np\nSHAPES = {'x': (2,)}\n"
        "def forward(x):\n    return np.sum(x ** 2)\n"
        "def backward(x):\n    raise ValueError('<script>alert(1)</script>')\n")
    page = tmp_path / "e.html"
    msg = _one_line_error(*cli("verify", str(user), "--html", str(page)))
    assert "<script>" in msg and not page.exists()  # no half-written page


def test_html_escapes_the_file_name(cli: Cli, tmp_path: Path) -> None:
    user = tmp_path / "net<b>&.py"
    user.write_text((MODULES / "scaled.py").read_text())
    page = tmp_path / "v.html"
    assert cli("verify", str(user), "--html", str(page), "--no-prove")[0] == 1
    html = page.read_text()
    assert "net&lt;b&gt;&amp;.py" in html and "net<b>" not in html


def test_html_refuses_to_overwrite_a_users_file(cli: Cli, tmp_path: Path) -> None:
    page = tmp_path / "notes.html"
    page.write_text("<p>my notes</p>")
    msg = _one_line_error(*cli("verify", _mod("scaled"), "--html", str(page)))
    assert msg == f"refusing to overwrite {page}: it is not a page derive wrote"
    assert page.read_text() == "<p>my notes</p>"


def test_html_replaces_its_own_page(cli: Cli, tmp_path: Path) -> None:
    page = tmp_path / "v.html"
    assert cli("verify", _mod("scaled"), "--html", str(page), "--no-prove")[0] == 1
    assert cli("verify", _mod("scalar"), "--html", str(page), "--no-prove")[0] == 0
    assert "all 2 gradients right" in page.read_text()


def test_html_into_a_missing_folder(cli: Cli, tmp_path: Path) -> None:
    msg = _one_line_error(*cli("verify", _mod("scaled"), "--html", str(tmp_path / "a" / "b.html")))
    assert "does not exist" in msg


def test_help_explains_the_contract(cli: Cli, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli("verify", "--help")
    assert info.value.code == 0
    text = capsys.readouterr().out
    for needle in ("forward(**arrays)", "backward(**arrays)", "SHAPES", "inputs(rng)",
                   "--shape N=AxB", "--fix", "--json", "exit status"):
        assert needle in text
