"""At home in a notebook (issue 15): results display as fragments whose styles stay inside them,
displaying has no side effects on matplotlib, and the text forms are short. The last test runs
a real kernel: display a result, then plot, and the plot is there."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import derive

ROOT = Path(__file__).resolve().parents[2]

# Selectors a fragment must never carry at the top level: they would restyle the notebook.
PAGE_SELECTORS = re.compile(r"(^|[},]\s*)(:root|\*|html|body|h[1-6]|p|pre|table|a|math|text|"
                            r"th|td|code|figure|svg)\s*[{,]", re.M)


def _verify_result() -> derive.VerifyResult:
    def forward(X, W):
        return np.mean(np.tanh(X @ W) ** 2)

    def backward(X, W):
        T = np.tanh(X @ W)
        return {"W": X.T @ (2 * T * (1 - T**2))}  # the mean's 1/n is missing

    return derive.verify(forward, backward, shapes={"X": (4, 3), "W": (3, 2)})


def _rules(html: str) -> list[str]:
    return [css for css in re.findall(r"<style>(.*?)</style>", html, re.S)]


@pytest.mark.parametrize("which", ["case", "verify"])
def test_html_is_a_fragment_with_every_rule_scoped(which: str) -> None:
    result = derive.check_case("two-layer") if which == "case" else _verify_result()
    html = result._repr_html_()
    scope = "derive-case" if which == "case" else "derive-verify"
    assert html.lstrip().startswith(f'<div class="{scope}">')
    assert "<html" not in html and "<body" not in html and "DOCTYPE" not in html
    for css in _rules(html):
        assert not PAGE_SELECTORS.search(css), css[:200]
        heads = [h.strip() for h in re.findall(r"(?:^|})\s*([^{}@]+)\{", css)]
        for head in heads:
            for selector in head.split(","):
                assert selector.strip().startswith((f".{scope}", "svg.diagram")), selector


def test_short_text_forms() -> None:
    case = derive.check_case("linear")
    assert repr(case) == "CaseResult('linear', ok=True, W: ok, B: ok)"
    v = _verify_result()
    assert len(repr(v)) < 200 and "scaled" in repr(v)
    md = v._repr_markdown_()
    assert "| W | wrong | scaled |" in md and "a missing 1/N" in md
    latex = v._repr_latex_()
    assert latex.startswith("$$") and r"\frac{\partial L}{\partial W}" in latex
    assert "| W | yes | ok | ok | ok |" in case._repr_markdown_()


def test_displaying_leaves_matplotlib_s_backend_alone() -> None:
    code = textwrap.dedent("""
        import matplotlib
        matplotlib.use("svg")
        import derive
        r = derive.check_case("linear")
        r._repr_html_()
        import derive.reports.plots
        print(matplotlib.get_backend())
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "svg"


def test_a_real_kernel_displays_a_result_and_then_plots() -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
                                  "import derive\nderive.check_case('linear')"),
        nbformat.v4.new_code_cell("%matplotlib inline\nimport matplotlib.pyplot as plt\n"
                                  "plt.plot([0, 1], [1, 0])\nplt.show()"),
    ]
    client = nbclient.NotebookClient(nb, timeout=240, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    shown = nb.cells[0].outputs
    assert any("text/html" in o.get("data", {}) for o in shown), shown
    html = next(o["data"]["text/html"] for o in shown if "text/html" in o.get("data", {}))
    assert html.lstrip().startswith('<div class="derive-case">')
    plotted = nb.cells[1].outputs
    assert any("image/png" in o.get("data", {}) for o in plotted), plotted
