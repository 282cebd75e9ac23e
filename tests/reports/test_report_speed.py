"""What made `derive report` fit in 15 s (issue 16.6), each tested for what it must keep:
plain-text decade labels on log axes, the training child without SymPy, preflight without
SymPy or matplotlib, and the page's entries written out while the figures draw."""

from __future__ import annotations

import subprocess
import sys

import pytest
from derive.reports import figurerender, plots

from derive.check import check_case


@pytest.mark.parametrize(("value", "label"), [(1e-3, "10⁻³"), (1.0, "10⁰"), (1e12, "10¹²"),
                                              (3e-3, ""), (0.0, ""), (-1.0, "")])
def test_decades_are_labelled_in_plain_text(value: float, label: str) -> None:
    assert plots._decade(value, 0) == label


def test_a_log_log_figure_has_no_mathtext_labels() -> None:
    fig = plots.new_figure(3, 2)
    ax = fig.subplots()
    ax.loglog([1e-6, 1e-1], [1e-12, 1e-2])
    plots.log_axes(ax)
    svg = plots.to_svg(fig, "t")
    labels = [t.get_text() for t in ax.xaxis.get_ticklabels() + ax.yaxis.get_ticklabels()]
    assert "10⁻⁶" in labels and "10⁻¹²" in labels
    assert not any("$" in t for t in labels) and "<svg" in svg


@pytest.mark.parametrize(("name", "factor"), [("linear", 5.0), ("two-layer", 2.5)])
def test_the_checker_factor_needs_no_elementwise_sympy(name: str, factor: float) -> None:
    """The training child reads the printed code's constant off the matrix form: the same
    diagnosis as with elementwise SymPy."""
    fast = check_case(name, prove=False, elementwise=False)
    full = check_case(name, prove=False)
    w = fast.case.wrt[0]
    assert fast.elementwise is None
    assert fast.gradients[w].vs_printed.factor == pytest.approx(factor)
    assert full.gradients[w].vs_printed.factor == pytest.approx(factor)
    assert fast.gradients[w].vs_printed.message == full.gradients[w].vs_printed.message


_LIGHT = """
import sys
from derive.reports.build import preflight
from derive.reports.training import checker_factor
print(checker_factor("two-layer")["factor"])
print(sorted(m for m in ("sympy", "matplotlib", "jinja2") if m in sys.modules))
"""


def test_preflight_and_the_training_checker_load_neither_sympy_nor_matplotlib() -> None:
    out = subprocess.run([sys.executable, "-c", _LIGHT], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == ["2.5", "[]"]


def test_meanwhile_runs_once_with_or_without_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    made = [plots.Plot(f"p{i}", "", "method", draw=_tiny, args=(i,)) for i in range(2)]
    for pool_min in (1, 100):  # two misses: with the pool, and drawn in this process
        monkeypatch.setattr(figurerender, "POOL_MIN_MISSES", pool_min)
        calls.clear()
        drawn = figurerender.render_all(made, True, False, cache_dir=None,
                                        meanwhile=lambda: calls.append(1))
        assert calls == [1] and set(drawn) == {"p0", "p1"}


def _tiny(i: int):
    fig = plots.new_figure(1, 1)
    fig.subplots().plot([0, i])
    return fig
