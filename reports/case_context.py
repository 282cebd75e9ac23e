"""One case -> plain dicts and strings for the templates: its steps, chain-rule factors with
shapes, gradients written out, numbers and verdicts (every formula one LaTeX string)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import sympy as sp
from derive.numeric.compare import Comparison
from derive.reports.formatting import (
    fmt,
    fmt_err,
    fmt_value,
    index_text,
    mixed,
    partial_tex,
    shape_text,
    slug,
    under,
)

from derive.abbreviate import Abbreviations, abbreviated, step_symbols, steps_used
from derive.backward import Assignment, Term, adjoint_name
from derive.check import ELEMENTWISE_MAX_ENTRIES as PROVE_MAX_ENTRIES
from derive.check import CaseResult, GradientCheck, PrintedCheck
from derive.printers import name_latex, to_latex

# The expanded matrices are worth reading only while small (000 §1.2.8 writes 3x3 and 3x2).
ELEMENTWISE_MAX_SHOWN = 12
# Past this many LaTeX characters an expanded matrix is a wall of symbols, not a derivation.
ELEMENTWISE_MAX_CHARS = 3000
# Rows of the numbers table per gradient; the comparisons below it cover every entry.
TABLE_MAX_ROWS = 12
# The findings overview quotes each claim's first line up to this many characters.
SHORT_CLAIM = 72

CONVENTION = (
    r"Layout convention: a gradient has the shape of its variable, so "
    r"$\frac{\partial L}{\partial W}$ is shaped like $W$, as in the documents' numpy code. "
    r"A chain-rule factor such as "
    r"$\frac{\partial N}{\partial X} = W^{T}$ is the matrix the upstream gradient is multiplied "
    "by, not a Jacobian; the shapes written under each factor show why a transpose is needed "
    "and on which side it goes."
)

LABELS = {
    "matrix": "matrix form (rules, compiled to numpy)",
    "fd": "finite differences",
    "hand": "hand-written (corrected)",
    "printed": "documents' code, as printed",
}


# ---------------------------------------------------------------- chain-rule factors


def _factor_name(t: Term, of: str) -> str:
    return partial_tex(t.via, of)


def _summed_label(axes: tuple[int, ...]) -> str:
    return "rows" if axes == (0,) else "axes " + ",".join(str(a) for a in axes)


def term_context(t: Term, a: Assignment) -> dict[str, Any]:
    """One contribution dLd<via> ∘ factor, with the shapes under each piece."""
    up, up_shape = name_latex(adjoint_name(t.via)), _upstream_shape(t)
    factor_def = None
    if t.combine in ("hadamard", "right", "left") and t.factor is not None:
        fname, fshape = _factor_name(t, a.of), t.factor.shape
        factor_def = f"{fname} = {to_latex(t.factor)}"
        if t.combine == "hadamard":
            op = r" \odot " if up_shape and fshape else r" \, "
            tex = under(up, up_shape) + op + under(fname, fshape)
            shapes = f"({shape_text(up_shape)}) ⊙ ({shape_text(fshape)})"
        elif t.combine == "right":
            tex = under(up, up_shape) + r" \, " + under(fname, fshape)
            shapes = f"({shape_text(up_shape)}) @ ({shape_text(fshape)})"
        else:
            tex = under(fname, fshape) + r" \, " + under(up, up_shape)
            shapes = f"({shape_text(fshape)}) @ ({shape_text(up_shape)})"
        core_shape = t.expr.args[0].shape if t.summed else t.expr.shape
        shapes += f" → ({shape_text(core_shape)})"
    elif t.combine == "identity":
        tex = under(up, up_shape)
        shapes = f"({shape_text(up_shape)}) passed through"
    else:
        tex = to_latex(t.expr.args[0] if t.summed else t.expr)
        shapes = f"→ ({shape_text(t.expr.args[0].shape if t.summed else t.expr.shape)})"
    if t.summed:
        label = _summed_label(t.summed)
        tex = rf"\operatorname{{sum}}_{{\text{{{label}}}}}\left({tex}\right)"
        shapes += f", summed over {label} (undoing the broadcast) → ({shape_text(t.expr.shape)})"
    return {"tex": tex, "shapes": shapes, "factor_def": factor_def, "via": t.via}


def _upstream_shape(t: Term) -> tuple[int, ...]:
    from derive import expr as E

    for n in E.topological(t.expr):
        if n.op == "adjoint" and n.name == adjoint_name(t.via):
            return n.shape
    return t.expr.shape


def assignment_context(a: Assignment, var_shape: tuple[int, ...]) -> dict[str, Any]:
    terms = [term_context(t, a) for t in a.terms]
    rhs = " + ".join(t["tex"] for t in terms) if terms else to_latex(a.expr)
    same = tuple(a.shape) == tuple(var_shape)
    tex = f"{under(name_latex(a.target), a.shape)} = {rhs}"
    defs = [t["factor_def"] for t in terms if t["factor_def"]]
    return {
        "target": a.target,
        "of": a.of,
        "tex": tex,
        "defs": defs,
        "display": tex + (r" \qquad \text{with} \quad " + r", \quad ".join(defs) if defs else ""),
        "shapes": "; ".join(t["shapes"] for t in terms) if terms else shape_text(a.shape),
        "shape": shape_text(a.shape),
        "layout_ok": same,
        "layout": (f"shape {shape_text(a.shape)} = shape of {a.of}" if same
                   else f"shape {shape_text(a.shape)}, but {a.of} is {shape_text(var_shape)}"),
    }


def elementwise_context(result: CaseResult, w: str,
                        abbreviations: Abbreviations | None) -> dict[str, Any]:
    """The gradient of ``w`` written out entry by entry (SymPy), or why it is omitted."""
    ew = result.elementwise
    shape = result.graph.inputs[w].shape
    size = int(np.prod(shape, dtype=np.int64))
    if ew is None:
        return {"tex": None, "legend": [],
                "omitted": f"not written out: the case has more than {PROVE_MAX_ENTRIES} input "
                           "entries, so it is checked in matrix form only"}
    if size > ELEMENTWISE_MAX_SHOWN:
        return {"tex": None, "legend": [],
                "omitted": f"not written out: {size} entries (shown up to {ELEMENTWISE_MAX_SHOWN})"}
    names = abbreviations[1] if abbreviations else {}
    grad = abbreviated(ew.gradients[w], abbreviations)
    lhs = partial_tex("L", w)
    if grad.ndim == 0:
        body = sp.latex(grad[()], symbol_names=names)
    else:
        rows = grad.reshape(grad.shape[0], -1) if grad.ndim > 1 else grad.reshape(1, -1)
        body = sp.latex(sp.Matrix(rows.tolist()), mat_str="bmatrix", mat_delim="",
                        symbol_names=names)
    if len(body) > ELEMENTWISE_MAX_CHARS:
        return {"tex": None, "legend": [],
                "omitted": f"not written out: the entries run to {len(body)} LaTeX characters"}
    used = [{"symbol": g["symbol"], "step": g["step"]} for g in steps_used(grad, abbreviations)]
    return {"tex": f"{lhs} = {body}", "legend": used, "omitted": None}


# ---------------------------------------------------------------- numbers and verdicts


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


def gradient_context(result: CaseResult, w: str,
                     abbreviations: Abbreviations | None) -> dict[str, Any]:
    g = result.gradients[w]
    bw = result.backward
    node = bw.gradient(w)
    lhs = partial_tex("L", w)
    matrix_tex = f"{lhs} = {to_latex(node)}"
    expanded = f"{lhs} = {to_latex(node, expand=True)}"
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
        "expanded_tex": expanded if expanded != matrix_tex else None,
        "elementwise": elementwise_context(result, w, abbreviations),
        "proof": proof_context(result, g),
        "table": numbers_table(g),
        "comparisons": comparisons,
        "problems": [c for c in comparisons if not c["ok"]],
    }


def _what_label(what: str) -> str:
    if what == "forward":
        return "forward value"
    if what.endswith("-input"):
        return f"input {what.removesuffix('-input')}"
    return f"dL/d{what}"


def printed_context(pc: PrintedCheck) -> dict[str, Any]:
    p = pc.printed
    return {
        "what": _what_label(p.what),
        "value": fmt_value(p.value, None),
        "how": p.how,
        "source": p.source,
        "reproduced": fmt_value(pc.reproduced, None),
        "reproduces": pc.reproduces,
        "exact": fmt_value(pc.exact, None),
        "diff": fmt_err(pc.max_diff_exact),
        "note": p.note,
    }


# ---------------------------------------------------------------- a case


def _factors(result: CaseResult, shapes: Mapping[str, tuple[int, ...]]) -> list[dict[str, Any]]:
    """The backward program as chain-rule factors; all-scalar cases need no shape notes."""
    factors = [assignment_context(a, shapes.get(a.of, a.shape))
               for a in result.backward.assignments]
    if not any(shapes.values()):
        for f in factors:
            f["shapes"] = ""
    return factors


def case_context(result: CaseResult, claims: Iterable[Any] = (),
                 figures: Sequence[str] = ()) -> dict[str, Any]:
    """Everything the templates print for one case."""
    case, graph = result.case, result.graph
    shapes = {**graph.shapes, **{s.name: s.shape for s in graph.steps}}
    abbreviations = step_symbols(result) if result.elementwise is not None else None
    fwd = result.forward
    wrong_code = [c for c in claims
                  if c.claim.kind == "code" and c.claim.case == case.name and c.verdict == "wrong"]
    return {
        "name": case.name,
        "anchor": f"case-{slug(case.name)}",
        "title": case.title,
        "source": case.source,
        "statement": mixed(case.statement),
        "notes": list(case.notes),
        "ok": result.ok,
        "inputs": [{"name": k, "tex": name_latex(k), "shape": shape_text(v.shape),
                    "wrt": k in graph.wrt} for k, v in graph.inputs.items()],
        "steps": [{"tex": s.latex(), "shape": shape_text(s.shape)} for s in graph.steps],
        "factors": _factors(result, shapes),
        "gradients": [gradient_context(result, w, abbreviations) for w in graph.wrt],
        "forward": {
            "symbolic": fmt(fwd["symbolic"], 16),
            "matrix": fmt(fwd["matrix"], 16),
            "as_printed": fmt_value(fwd["as_printed"], 16) if "as_printed" in fwd else None,
        },
        "printed": [printed_context(p) for p in result.printed],
        "code": {"forward": result.code.forward_source, "backward": result.code.backward_source},
        "as_printed_code": [{"source": c.claim.source, "text": c.claim.text,
                             "message": c.message} for c in wrong_code],
        "figures": list(figures),
    }
