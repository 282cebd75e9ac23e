"""What the report says besides the derivations: the notation, the documents by name, a sample
entry where the matrix is too long, and the line that says what to open."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from derive.reports.legend import DOCUMENTS, FILES, cite

from derive.check import check_case


def test_the_page_has_a_notation_legend(html: str) -> None:
    legend = html[html.index('id="notation"'):html.index('id="documents"')]
    for meaning in ("elementwise (Hadamard) product", "an array of ones", "number of rows",
                    "sum over the rows", "unit step", "derivative of the sigmoid",
                    "layout convention"):
        assert meaning in legend, meaning
    assert "&#x02299;" in legend or "⊙" in legend  # the ⊙ itself, as MathML


def test_the_pdf_has_the_legend_too(report_dir: Path) -> None:
    tex = (report_dir / "derivations.tex").read_text(encoding="utf-8")
    notation = tex[tex.index(r"\subsection*{Notation}"):tex.index(r"\subsection*{The documents}")]
    assert r"$\odot$" in notation and r"$\mathbf{1}$" in notation
    assert r"\operatorname{sum}_{\text{rows}}" in notation and "unit step" in notation


def test_documents_are_named_by_title_and_kind(html: str) -> None:
    listing = html[html.index('id="documents"'):html.index('id="cases"')]
    for kind, title, _ in DOCUMENTS.values():
        assert title in listing and kind.capitalize() in listing
    rest = html.replace(listing, "")
    for name in FILES.values():  # cited by title everywhere else, never by file name
        assert name not in rest, name
    assert 'Lecture notes "9.1 Deep Learning - Neural Network" (26 Oct 2020) §1.2.8' in \
        cite("000_c5d3501ff112bbd5.txt §1.2.8").replace("lecture", "Lecture")
    assert cite("003_dbb8e357b1da829d.txt backpropagation") == \
        'blog post "How to implement NN from scratch" backpropagation'


def test_a_long_elementwise_form_gets_a_sample_entry(html: str) -> None:
    assert "not written out: 13007" not in html
    two = html[html.index('id="case-two-layer"'):html.index('id="case-three-layer"')]
    assert two.count("one sample entry") >= 2
    assert "w^{(2)}_{11}" not in two  # LaTeX converted, not left raw


def test_the_sample_entry_is_the_elementwise_truth() -> None:
    import numpy as np

    r = check_case("linear", prove=False)
    e = r.entries["W"]
    assert e.sample_index == (0, 0) and str(e.sample_symbol) == "w_11"
    truth = r.elementwise.gradients["W"][0, 0]
    names = {s: v for k in r.elementwise.symbols for s, v in
             zip(np.ravel(r.elementwise.symbols[k]), np.ravel(r.inputs[k]), strict=True)}
    p = next(g for g in e.sample_legend if g["name"] == "P")  # p_11 stands for an entry of P
    assert p["step"] == "P"
    from derive.elementwise import element_symbols

    steps = dict(zip(np.ravel(element_symbols("P", r.steps["P"].shape)),
                     map(float, np.ravel(r.steps["P"])), strict=True))
    assert e.sample.free_symbols & set(steps)  # the entries of P are named in the sample
    value = float(e.sample.xreplace(steps).xreplace(names))
    assert value == pytest.approx(float(truth.xreplace(names)), rel=1e-14)  # rounding only


def test_the_report_ends_by_saying_what_to_open(cli_report) -> None:
    out, _, stdout = cli_report
    last = stdout.strip().splitlines()[-1]
    assert last.startswith(f"open {(out / 'index.html').absolute()} in a browser")
    assert re.search(r"derivations\.pdf$", last) or "pdf" not in {p.suffix for p in out.iterdir()}
