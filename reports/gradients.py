"""One gradient as the report shows it: matrix form, entries, proof, numbers and verdicts."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp
from derive.numeric.compare import Comparison
from derive.reports.text import (
    fmt,
    fmt_err,
    glyphs,
    index_text,
    partial_tex,
    shape_text,
    slug,
    widest_line,
    wrap_tex,
)

from derive.check import ELEMENTWISE_MAX_ENTRIES as PROVE_MAX_ENTRIES
from derive.check import CaseResult, GradientCheck
from derive.closed import closed_form
from derive.printers import loss_symbol, to_latex

# The expanded matrices are worth reading only while small (000 §1.2.8 writes 3x3 and 3x2).
ELEMENTWISE_MAX_SHOWN = 12
# Past this many LaTeX characters an expanded matrix is a wall of symbols, not a derivation.
ELEMENTWISE_MAX_CHARS = 3000
# Display math is printed this many glyphs wide at most (the page's column, ~80): a written-
# out entry breaks its sum into lines this wide, and a matrix wider than this is not printed.
LINE_GLYPHS = 72
# Rows of the numbers table per gradient; the comparisons below it cover every entry.
TABLE_MAX_ROWS = 12

LABELS = {
    "matrix": "matrix form (rules, compiled to numpy)",
    "fd": "finite differences",
    "hand": "hand-written (corrected)",
    "printed": "documents' code, as printed",
}



def _latex(e: Any, names: dict[Any, str], **kw: Any) -> str:
    """SymPy's LaTeX, with its θ for the unit step written H as the matrix form writes it."""
    return sp.latex(e, symbol_names=names, **kw).replace(r"\theta\left(", r"H\left(")


def _matrix_latex(grad: np.ndarray, names: dict[Any, str]) -> str:
    if grad.ndim == 0:
        return _latex(grad[()], names)
    rows = grad.reshape(grad.shape[0], -1) if grad.ndim > 1 else grad.reshape(1, -1)
    return _latex(sp.Matrix(rows.tolist()), names, mat_str="bmatrix", mat_delim="")


def _row_glyphs(grad: np.ndarray, names: dict[Any, str]) -> int:
    """How wide the widest row of the printed matrix is, in glyphs."""
    rows = grad.reshape(grad.shape[0], -1) if grad.ndim > 1 else grad.reshape(1, -1)
    return max(sum(glyphs(_latex(e, names)) + 2 for e in row) for row in rows)


def _legend(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"symbol": r["symbol"], "step": r["step"]} for r in rows]


def _sample(entries: Any, why: str) -> dict[str, Any]:
    """One entry written out where the whole matrix is too long to print."""
    tex = _latex(entries.sample, entries.names)
    if len(tex) > ELEMENTWISE_MAX_CHARS:
        return {"tex": None, "legend": [], "sample": None,
                "omitted": f"not written out: {why}; even one entry runs to {len(tex)} "
                           "LaTeX characters"}
    lhs = rf"\frac{{\partial {loss_symbol()}}}{{\partial {sp.latex(entries.sample_symbol)}}}"
    return {"tex": None, "legend": _legend(entries.sample_legend),
            "sample": broken(lhs, entries.sample, entries.names),
            "omitted": f"the whole matrix is not written out: {why}"}


def broken(lhs: str, e: Any, names: dict[Any, str]) -> str:
    """lhs = e, a long sum broken into lines of at most LINE_GLYPHS glyphs (one left-
    aligned array, which MathML and pdflatex both take), so it fits a page and a column."""
    whole = _latex(e, names)
    if glyphs(whole) <= LINE_GLYPHS or not isinstance(e, sp.Add):
        return f"{lhs} = {whole}"
    lines, line = [], f"{lhs} = "
    for k, term in enumerate(sp.Add.make_args(e)):
        t = _latex(term, names)
        piece = t if k == 0 else (f" - {t[1:].strip()}" if t.startswith("-") else f" + {t}")
        if k and glyphs(line) + glyphs(piece) > LINE_GLYPHS:
            lines.append(line)
            line = r"\qquad " + piece.strip()
        else:
            line += piece
    return r"\begin{array}{l} " + r" \\ ".join([*lines, line]) + r" \end{array}"


def fits(tex: str, width: int = LINE_GLYPHS) -> bool:
    """Whether a display formula fits ``width`` glyphs once broken at its top-level signs (a
    nested form with every step substituted often has nowhere to break)."""
    return widest_line(wrap_tex(tex, width)) <= width + 8


def elementwise_context(result: CaseResult, w: str) -> dict[str, Any]:
    """The gradient of ``w`` written out entry by entry (SymPy), one sample entry, or why not."""
    entries = result.entries.get(w)
    if entries is None:
        return {"tex": None, "legend": [], "sample": None,
                "omitted": f"not written out: the case has more than {PROVE_MAX_ENTRIES} input "
                           "entries, so it is checked in matrix form only"}
    size = int(np.size(entries.grad))
    if size > ELEMENTWISE_MAX_SHOWN:
        return _sample(entries, f"{size} entries (shown up to {ELEMENTWISE_MAX_SHOWN})")
    body = _matrix_latex(entries.grad, entries.names)
    if len(body) > ELEMENTWISE_MAX_CHARS:
        return _sample(entries, f"the entries run to {len(body)} LaTeX characters")
    wide = _row_glyphs(entries.grad, entries.names)
    if wide > LINE_GLYPHS:
        return _sample(entries, f"a row of the matrix runs to {wide} symbols")
    return {"tex": f"{partial_tex(loss_symbol(), w)} = {body}", "legend": _legend(entries.legend),
            "sample": None, "omitted": None}


def comparison_context(label: str, c: Comparison | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {
        "label": label,
        "verdict": c.verdict,
        "ok": c.ok,
        "diagnosis": c.diagnosis or "",
        "max_abs": fmt_err(c.max_abs_error),
        "max_rel": fmt_err(c.max_rel_error),
        "tolerance": f"{c.tolerance:g}",
        "message": c.message,
    }


def _column(values: Any, shape: tuple[int, ...]) -> tuple[np.ndarray | None, str]:
    """An array aligned with the exact gradient, or None and why not."""
    if values is None:
        return None, ""
    if isinstance(values, str):
        return None, values
    a = np.asarray(values, dtype=np.float64)
    if a.shape != shape:
        if a.size == int(np.prod(shape, dtype=np.int64)) and a.size == 1:
            return a.reshape(shape), ""
        return None, f"shape {a.shape}, expected {shape}"
    return a, ""


def numbers_table(g: GradientCheck) -> dict[str, Any]:
    """One row per entry (capped): exact, matrix, hand, finite differences, as printed."""
    shape = tuple(np.shape(g.exact))
    exact = np.asarray(g.exact, dtype=np.float64)
    cols: list[tuple[str, str, Any, Comparison | None]] = [
        ("matrix", "matrix form", g.matrix, g.vs_matrix),
        ("hand", "hand-written", g.hand, g.vs_hand),
        ("fd", "finite diff.", g.fd, g.vs_fd),
        ("printed", "as printed", g.as_printed, g.vs_printed),
    ]
    header = ["entry", "exact (SymPy)"]
    arrays: list[tuple[np.ndarray | None, set[tuple[int, ...]]]] = []
    notes: list[str] = []
    for _key, title, values, cmp in cols:
        if values is None:
            continue
        arr, why = _column(values, shape)
        header.append(title)
        bad = set(cmp.entries) if cmp is not None and not cmp.ok else set()
        if arr is None:
            bad = set()
            notes.append(f"{title}: {why}")
        elif cmp is not None and not cmp.ok and not cmp.entries:
            bad = set(np.ndindex(*shape))
        arrays.append((arr, bad))
    rows = []
    indices = list(np.ndindex(*shape))
    for idx in indices[:TABLE_MAX_ROWS]:
        cells = [{"text": index_text(idx), "bad": False}, {"text": fmt(exact[idx]), "bad": False}]
        for arr, bad in arrays:
            text = "—" if arr is None else fmt(arr[idx])
            cells.append({"text": text, "bad": arr is not None and tuple(idx) in bad})
        rows.append(cells)
    more = len(indices) - TABLE_MAX_ROWS
    return {"header": header, "rows": rows, "notes": notes,
            "more": f"{more} more entries not listed (the comparisons cover all)" if more > 0
            else ""}


def proof_context(result: CaseResult, g: GradientCheck) -> dict[str, Any]:
    p = g.proof
    if p is not None:
        if p.timed_out:
            return {"ok": None, "text": f"undecided: {p.message}; the numeric checks stand"}
        return {"ok": p.proved, "text": ("proved: " if p.proved else "not proved: ") + p.message}
    if result.elementwise is None:
        why = (f"no symbolic proof: more than {PROVE_MAX_ENTRIES} input entries for elementwise "
               "SymPy; checked numerically")
    elif not result.case.prove:
        why = "no symbolic proof for this case; checked numerically"
    else:
        why = "symbolic proof skipped (--no-prove); checked numerically"
    return {"ok": None, "text": why}


def gradient_context(result: CaseResult, w: str) -> dict[str, Any]:
    g = result.gradients[w]
    bw = result.backward
    node = bw.gradient(w)
    lhs = partial_tex(loss_symbol(), w)
    matrix_tex = f"{lhs} = {to_latex(node)}"
    expanded = f"{lhs} = {to_latex(node, expand=True)}"
    closed = f"{lhs} = {to_latex(closed_form(bw, w))}"
    comparisons = [c for c in (
        comparison_context(LABELS["matrix"], g.vs_matrix),
        comparison_context(LABELS["hand"], g.vs_hand),
        comparison_context(LABELS["fd"], g.vs_fd),
        comparison_context(LABELS["printed"], g.vs_printed),
    ) if c is not None]
    return {
        "name": w,
        "anchor": f"{slug(result.case.name)}-d{slug(w)}",
        "tex": lhs,
        "shape": shape_text(np.shape(g.exact)),
        "ok": g.ok,
        "matrix_tex": matrix_tex,
        "expanded_tex": expanded if expanded != matrix_tex and fits(expanded) else None,
        "closed_tex": closed if closed not in (matrix_tex, expanded) and fits(closed) else None,
        "elementwise": elementwise_context(result, w),
        "proof": proof_context(result, g),
        "table": numbers_table(g),
        "comparisons": comparisons,
        "problems": [c for c in comparisons if not c["ok"]],
    }

