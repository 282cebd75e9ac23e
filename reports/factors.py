"""The backward program as chain-rule factors, each with the shapes written under it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from derive.reports.text import name_latex, partial_tex, shape_text, under

from derive.backward import Assignment, Term, adjoint_name
from derive.printers import to_latex


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



def case_factors(backward: Any, shapes: Mapping[str, tuple[int, ...]]) -> list[dict[str, Any]]:
    """The backward program as chain-rule factors; all-scalar cases need no shape notes."""
    factors = [assignment_context(a, shapes.get(a.of, a.shape)) for a in backward.assignments]
    if not any(shapes.values()):
        for f in factors:
            f["shapes"] = ""
    return factors

