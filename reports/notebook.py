"""How results show themselves in a notebook besides HTML: Markdown and LaTeX.

Markdown and LaTeX survive notebook exports (nbconvert to PDF or Markdown) where HTML does
not, so a result's diagnosis is not lost there. Formatting only: every value is the result's.
"""

from __future__ import annotations

from typing import Any

from derive.reports import verify_text as VT


def _md(text: object) -> str:
    """A cell of a Markdown table: pipes and newlines of user text cannot break the table."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _tex(text: object) -> str:
    """Plain text inside \\text{...}: LaTeX's special characters escaped."""
    out = str(text)
    for char, repl in (("\\", r"\textbackslash{}"), ("{", r"\{"), ("}", r"\}"),
                       ("$", r"\$"), ("&", r"\&"), ("#", r"\#"), ("_", r"\_"),
                       ("%", r"\%"), ("^", r"\^{}"), ("~", r"\~{}")):
        out = out.replace(char, repl)
    return out


def verify_markdown(result: Any) -> str:
    """A VerifyResult as a Markdown summary and table (one row per gradient)."""
    head = f"**derive verify{': ' + _md(result.label) if result.label else ''}**: " \
           f"{_md(VT.summary(result))}"
    rows = ["| gradient | verdict | diagnosis | max rel error | message |", "|---|---|---|---|---|"]
    for g in result.gradients.values():
        rows.append(f"| {_md(g.name)} | {g.verdict} | {g.diagnosis or ''} | "
                    f"{g.max_rel_error:.2g} | {_md(g.message)} |")
    return "\n".join([head, "", *rows])


def verify_latex(result: Any) -> str:
    """A VerifyResult's derivation (when traced) and verdicts as one display formula."""
    from derive.backward import adjoint_name
    from derive.closed import closed_form
    from derive.printers import name_latex, to_latex

    lines = []
    if result.traced is not None:
        bw = result.traced.backward
        lines += [rf"{name_latex(adjoint_name(w))} = {to_latex(closed_form(bw, w))}"
                  for w in result.gradients]
    lines += [rf"\text{{{_tex(g.name)}: {_tex(g.verdict)}"
              rf"{' (' + _tex(g.diagnosis) + ')' if g.diagnosis else ''}}}"
              for g in result.gradients.values()]
    body = r" \\ ".join(lines)
    return rf"$$\begin{{array}}{{l}} {body} \end{{array}}$$"


def case_markdown(result: Any) -> str:
    """A documents' case as a Markdown summary and table."""
    rows = ["| gradient | agrees | matrix vs exact | finite differences | hand-written |",
            "|---|---|---|---|---|"]
    for g in result.gradients.values():
        hand = g.vs_hand.verdict if g.vs_hand is not None else "-"
        rows.append(f"| {_md(g.name)} | {'yes' if g.ok else 'no'} | {g.vs_matrix.verdict} | "
                    f"{g.vs_fd.verdict} | {hand} |")
    head = f"**{_md(result.case.name)}**: {_md(result.case.title)} " \
           f"({'all agree' if result.ok else 'a disagreement'})"
    return "\n".join([head, "", *rows])


def case_html(result: Any) -> str:
    """A case as an HTML fragment (Jupyter's _repr_html_), with its diagram."""
    from derive.reports import diagram
    from derive.reports.context import case_context
    from derive.reports.html import render_fragment
    from derive.reports.text import slug

    name = f"diagram-{slug(result.case.name)}"
    figures = {name: {"svg": diagram.case_svg(result), "caption": "computational graph",
                      "case": result.case.name, "group": "diagram"}}
    return render_fragment(case_context(result, figures=[name]), figures)


def case_latex(result: Any) -> str:
    """A case's steps, factors and gradients as one display formula (Jupyter's _repr_latex_)."""
    from derive.reports.context import case_context

    c = case_context(result)
    lines = [s["tex"] for s in c["steps"]]
    lines += [f["tex"] for f in c["factors"]]
    lines += [g["matrix_tex"] for g in c["gradients"]]
    body = r" \\ ".join(lines)
    return rf"$$\begin{{array}}{{l}} {body} \end{{array}}$$"
