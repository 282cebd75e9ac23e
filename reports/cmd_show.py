"""``derive show CASE``: one case's derivation printed in the terminal.

The graph of named steps, each chain-rule factor with the shapes under it (the slides'
(3x2) ⊙ (3x2) then @ (2x3) → (3x3)), the gradient in matrix form, the gradient written out
elementwise (SymPy's pretty printer, while small), and the proof line.
"""

from __future__ import annotations

import argparse
from typing import Any

WIDTH = 100  # a terminal line; longer ones wrap under their indent


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "show", help="print one case's derivation in the terminal",
        description="Print the derivation of one case: the graph of steps, each chain-rule "
                    "factor with its shapes, every gradient in matrix form and elementwise, and "
                    "the proof that the two agree. `derive list` gives the names.")
    parser.add_argument("case", metavar="CASE", help="a case name from `derive list`")
    parser.add_argument("--no-prove", action="store_true",
                        help="skip the symbolic proof (faster)")
    parser.set_defaults(run=run)
    return parser


def _shape(shape: tuple[int, ...]) -> str:
    return "x".join(map(str, shape)) or "scalar"


def _indent(text: str, pad: str = "    ") -> list[str]:
    return [pad + line for line in text.splitlines()]


def show_lines(result: Any) -> list[str]:
    """Everything `derive show` prints for one checked case, its gradients named after its
    loss as the document does (∂E/∂W1 in 003's post, ∂L/∂W1 in the notes)."""
    from derive.printers import loss_named

    with loss_named(result.graph.output.name):
        return _show_lines(result)


def _show_lines(result: Any) -> list[str]:
    from derive.reports import fix
    from derive.reports.factors import term_context
    from derive.reports.text import tex_text

    from derive.backward import adjoint_name
    from derive.printers import name_text, to_text

    case, graph, bw = result.case, result.graph, result.backward
    shapes = ", ".join(f"{k} {_shape(v.shape)}" for k, v in graph.inputs.items())
    out = [f"{case.name}: {case.title}", f"source: {case.source}", "",
           tex_text(case.statement), "",
           f"inputs: {shapes}; gradients with respect to {', '.join(graph.wrt)}",
           "layout: a gradient has the shape of its variable", "",
           "graph of steps (forward):"]
    for s in graph.steps:
        args = ", ".join(s.args)
        out.append(f"  {s.name} = {to_text(s.node)}    [{s.name}: {_shape(s.shape)}; "
                   f"reads {args}]")
    out += ["", "chain rule, backward, one factor at a time:"]
    for a in bw.assignments:
        out.append(f"  {fix.assignment_line(a)}    [{_shape(a.shape)}]")
        for t in a.terms:
            tc = term_context(t, a)
            factor = f"factor ∂{t.via}/∂{a.of} = {to_text(t.factor)}; " \
                if t.factor is not None and t.combine in ("hadamard", "right", "left") else ""
            out.append(f"      via {t.via}: {factor}shapes {tc['shapes']}")
    abbreviations = None
    if result.elementwise is not None:
        from derive.entries import step_symbols

        abbreviations = step_symbols(graph, result.elementwise)
    for w in graph.wrt:
        g = result.gradients[w]
        out += ["", f"{name_text(adjoint_name(w))}, matrix form:",
                f"  {name_text(adjoint_name(w))} = {to_text(bw.gradient(w))}",
                f"  closed form: {fix.closed_line(bw, w)}"]
        out += elementwise_lines(result, w, abbreviations)
        if g.proof is not None:
            mark = "proved" if g.proof.proved else \
                "undecided (numeric checks stand)" if g.proof.timed_out else "REFUTED"
            out.append(f"  proof: {mark}: {g.proof.message} ({g.proof.seconds:.2f} s)")
        verdicts = [(label, c) for label, c in (("matrix form", g.vs_matrix),
                    ("finite differences", g.vs_fd), ("hand-written", g.vs_hand),
                    ("as printed", g.vs_printed)) if c is not None]
        out.append("  check at the documents' point: " + "; ".join(
            f"{label} {c.verdict}" + (f" ({c.diagnosis})" if c.diagnosis else "")
            for label, c in verdicts))
    return out + delta_lines(result)


def delta_lines(result: Any) -> list[str]:
    """The post's delta rule (three-layer case): each step with the shapes of its factors."""
    if "delta_rule" not in result.case.extra:
        return []
    from derive.claims.delta import delta_rule

    out = ["", "the delta rule, as the post writes it (sizes by the post's names):"]
    for d in delta_rule(result):
        mark = "" if d.ok is None else "    [agrees with the exact gradient]" if d.ok \
            else f"    [DISAGREES: {d.message}]"
        out.append(f"  {d.lhs} = {d.rhs}{mark}")
        out.append("      shapes: " + " · ".join(f"{f.text} ({f.shape})" for f in d.factors)
                   + f" → {d.shape}")
    return out


def elementwise_lines(result: Any, w: str, abbreviations: Any) -> list[str]:
    """The gradient entry by entry, in the step symbols (n1_11 for N1), as 000 §1.2.8 does."""
    import numpy as np
    import sympy as sp
    from derive.reports import fix
    from derive.reports.gradients import ELEMENTWISE_MAX_SHOWN

    from derive.entries import SigmaPrime, abbreviated, steps_used

    ew = result.elementwise
    if ew is None:
        return ["  elementwise: not written out (too many entries; checked in matrix form)"]
    size = int(np.size(ew.gradients[w]))
    if size > ELEMENTWISE_MAX_SHOWN:
        return [f"  elementwise: not written out ({size} entries, shown up to "
                f"{ELEMENTWISE_MAX_SHOWN})"]
    prime = sp.Function("σ'")  # SigmaPrime prints as LaTeX; the terminal wants σ'(n_11)
    grad = np.vectorize(lambda e: e.replace(SigmaPrime, prime), otypes=[object])(
        abbreviated(ew.gradients[w], abbreviations, inside_sums=True))
    steps = [g["name"] for g in steps_used(grad, abbreviations)]
    where = f" (step entries: {', '.join(steps)})" if steps else ""
    pretty = fix.small_pretty(grad)
    if pretty:
        return [f"  elementwise (SymPy){where}:", *_indent(pretty)]
    syms = ew.symbols[w]
    from derive.printers import loss_symbol

    lines = [f"    ∂{loss_symbol()}/∂{syms[idx]} = {grad[idx]}" for idx in np.ndindex(*grad.shape)]
    if len(lines) > 1 and max(map(len, lines)) > WIDTH:  # one written out, wrapped, is enough
        more = f"  ({len(lines) - 1} more entries as long; `derive report` prints the matrix " \
               "form beside them)"
        return [f"  elementwise (SymPy){where}, one sample entry:", lines[0], more]
    return [f"  elementwise (SymPy){where}:", *lines]


def wrapped(lines: list[str], width: int = WIDTH) -> list[str]:
    """Lines longer than ``width`` broken at spaces, continued under their own indent."""
    import textwrap

    out = []
    for line in lines:
        if len(line) <= width:
            out.append(line)
            continue
        pad = " " * (len(line) - len(line.lstrip(" ")) + 4)
        if "; " in line:  # a list of verdicts breaks between items, never inside one
            parts = line.split("; ")
            rows = [parts[0]]
            for part in parts[1:]:
                if len(rows[-1]) + 2 + len(part) <= width:
                    rows[-1] += "; " + part
                else:
                    rows[-1] += ";"
                    rows.append(pad + part)
            if max(map(len, rows)) <= width:
                out += rows
                continue
        out += textwrap.wrap(line, width, subsequent_indent=pad, break_long_words=False,
                             break_on_hyphens=False)
    return out


def run(args: argparse.Namespace) -> int:
    from derive.cases import get
    from derive.check import check_case

    result = check_case(get(args.case), prove=not args.no_prove)
    print("\n".join(wrapped(show_lines(result))))
    return 0 if result.ok else 1
