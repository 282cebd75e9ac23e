"""Diagram labels: the step letters read as text."""

from __future__ import annotations


def test_diagram_labels_read_the_step_letters_as_text() -> None:
    """One LaTeX-to-text reading serves the terminal and the diagrams: \\operatorname{lrelu}
    is labelled lrelu, not operatorname{lrelu}."""
    from derive.reports.diagram import layout

    from derive.cases import get
    from derive.check import check_case

    d = layout(check_case(get("chain-3"), prove=False))
    assert [n.letter for n in d.nodes if n.kind == "step"] == ["lrelu", "f", "σ"]
