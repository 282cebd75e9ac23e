"""Safety: no eval of user text, user text escaped in HTML and LaTeX, proofs under a budget.

The scan reads every module under derive/, numeric/ and reports/ and lists each call of
eval, exec, sympify, parse_expr (and compile in exec mode's company). Each one found must be
in ALLOWED with the reason it never sees text from a user; a new one fails this test until
it is justified here.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from derive import elementwise as EW

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("derive", "numeric", "reports")
DANGEROUS = {"eval", "exec", "sympify", "parse_expr", "S", "__import__"}

# (module, call) -> (how many, why it never evaluates a user's text)
ALLOWED: dict[tuple[str, str], tuple[int, str]] = {
    ("derive/compile.py", "exec"): (3, "our printer's source of our own graph (forward, backward, "
                                          "value_and_gradient)"),
    ("derive/compile.py", "eval"): (2, "our printer's source of one node (evaluate_numeric), "
                                       "and of a table row's derivative (derivative_numpy)"),
    ("derive/deltas.py", "eval"): (1, "a lambda over our printer's source of our own graph"),
    ("derive/proof.py", "sympify"): (1, "a SymPy object from our evaluator, not text"),
    ("reports/fix.py", "sympify"): (1, "a SymPy object from an object array, not text"),
    ("derive/entries.py", "sympify"): (2, "SymPy objects of the elementwise truth"),
}


def _calls() -> Counter[tuple[str, str]]:
    found: Counter[tuple[str, str]] = Counter()
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            tree = ast.parse(path.read_text(), str(path))
            rel = path.relative_to(ROOT).as_posix()
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                f = node.func
                name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(
                    f, ast.Attribute) else None
                if name in DANGEROUS:
                    found[(rel, name)] += 1
                    for arg in node.args:  # never a string literal or f-string handed in
                        if name in ("sympify", "parse_expr", "S"):
                            assert not isinstance(arg, (ast.Constant, ast.JoinedStr)), (rel, name)
    return found


def test_no_eval_of_user_text() -> None:
    found = _calls()
    unexpected = {k: n for k, n in found.items() if k not in ALLOWED}
    assert not unexpected, f"eval/exec/sympify not justified in ALLOWED: {unexpected}"
    for key, (count, _why) in ALLOWED.items():
        assert found.get(key, 0) <= count, (key, found.get(key), count)


def test_the_scan_finds_what_it_looks_for(tmp_path: Path) -> None:
    src = "import sympy\nx = eval('1')\nsympy.sympify(y)\n"
    tree = ast.parse(src)
    names = [n.func.id if isinstance(n.func, ast.Name) else n.func.attr
             for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert {"eval", "sympify"} <= set(names)


def test_shape_text_is_parsed_by_a_whitelist() -> None:
    from derive.errors import InputError
    from derive.usermodule import parse_shape

    assert parse_shape("X=3x2") == ("X", (3, 2))
    for bad in ("X=__import__('os').system('true')", "X=3*2", "X=(3,2)", "X=3x2;rm"):
        with pytest.raises(InputError, match="^malformed --shape"):
            parse_shape(bad)


# ---------------------------------------------------------------- escaping user text


HOSTILE = "<script>alert(1)</script>_&%$#{}\\~^"


def _hostile_module(tmp_path: Path) -> Path:
    p = tmp_path / "net_<script>&%$#{}.py"
    p.write_text(
        f'r"""{HOSTILE}"""\n'
        "import numpy as np\n"
        "SHAPES = {'x': (3,)}\n"
        "def forward(x):\n    return np.sum(x ** 2)\n"
        "def backward(x):\n    return {'x': 4 * x}\n")
    return p


def test_user_text_is_escaped_in_verify_html(tmp_path: Path) -> None:
    from derive.reports.verify_html import render

    from derive.usermodule import load
    from derive.verify import verify_module

    r = verify_module(load(_hostile_module(tmp_path)), prove=False)
    page = render(r)
    assert "<script>alert" not in page and "net_<script>" not in page
    assert "net_&lt;script&gt;&amp;%$#{}.py" in page


def test_raising_user_text_is_escaped_in_verify_html(tmp_path: Path) -> None:
    from derive.reports.verify_html import render

    from derive.verify import verify

    def backward(x):
        return {"x": 2 * x}

    r = verify(lambda x: np.sum(x**2), backward, shapes={"x": (2,)}, label=HOSTILE)
    page = render(r)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize(("text", "tex"), [
    ("_", r"\_"), ("&", r"\&"), ("%", r"\%"), ("$", r"\$"), ("#", r"\#"), ("{", r"\{"),
    ("}", r"\}"),
])
def test_latex_specials_are_escaped(text: str, tex: str) -> None:
    from derive.reports.latex import latex_escape

    assert latex_escape(text) == tex


def test_latex_escape_of_a_hostile_name() -> None:
    from derive.reports.latex import latex_escape

    out = latex_escape(HOSTILE)
    for c in "_&%$#{}":
        assert f"\\{c}" in out
    assert "\\\\" not in out.replace(r"\textbackslash{}", "")  # no raw backslash survives
    rendered = latex_escape("\\input{/etc/passwd}")
    assert "\\input" not in rendered


def test_the_latex_environment_escapes_by_filter() -> None:
    from derive.reports.latex import environment

    env = environment()
    tpl = env.from_string(r"\VAR{name|e}")
    out = tpl.render(name="50% of $x_1$ & {y}")
    assert out == r"50\% of \$x\_1\$ \& \{y\}"


# ---------------------------------------------------------------- proofs under a budget


def _pathological() -> tuple[np.ndarray, np.ndarray]:
    x, y = sp.symbols("x y", real=True)
    # true identity, but its expansion is far beyond the work budget: undecided, quickly,
    # every time (counted before expanding: (4 terms)^40 would write 12,341 terms, nested
    # once more far more)
    s = sp.sin(x) + sp.cos(y) + x * y + 1
    # (s^2 expanded)^40 = s^80: true, but its expansion has ~2e8 terms
    matrix = np.array([s ** 80 + sp.tanh(x) ** 2 + 1 / sp.cosh(x) ** 2 - 1], dtype=object)
    return matrix, np.array([sp.expand(s ** 2) ** 40], dtype=object)


def test_a_pathological_expression_is_not_proved_within_the_budget() -> None:
    proof = EW.prove("X", *_pathological())
    assert proof.undecided and not proof.refuted
    assert proof.message.startswith("not proved: ") and "work budget" in proof.message


@pytest.mark.timing
def test_a_pathological_expression_is_given_up_quickly() -> None:
    """Wall clock (run with -m timing): the budget stops it within seconds."""
    import time

    t0 = time.perf_counter()
    EW.prove("X", *_pathological())
    assert time.perf_counter() - t0 < 5.0


def test_a_proof_leaves_the_callers_alarm_and_works_in_a_thread() -> None:
    """No signal is used: pytest-timeout's SIGALRM stays armed, and threads get proofs too."""
    import signal
    import threading

    fired: list[int] = []
    old = signal.signal(signal.SIGALRM, lambda *a: fired.append(1))
    signal.setitimer(signal.ITIMER_REAL, 30.0)
    try:
        x = sp.Symbol("x", real=True)
        ok = EW.prove("x", np.array([2 * x], dtype=object), np.array([x + x], dtype=object))
        assert ok.proved
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0 < remaining <= 30.0  # still armed
        results: list[bool] = []
        t = threading.Thread(target=lambda: results.append(EW.prove(
            "x", np.array([sp.sin(x) ** 2 + sp.cos(x) ** 2], dtype=object),
            np.array([sp.Integer(1)], dtype=object)).proved))
        t.start()
        t.join()
        assert results == [True]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert not fired
