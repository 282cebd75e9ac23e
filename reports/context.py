"""Results -> plain dicts and strings for the templates (which only display).

Every formula is one LaTeX string here: the LaTeX template prints it verbatim and the
HTML environment converts the same string to MathML, so the two outputs cannot drift.
Nothing here depends on time or on dict order of the engine, so the same results give
the same context, byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import sympy as sp
from derive.numeric.compare import Comparison

from derive import elementwise as EW
from derive.backward import Assignment, Term, adjoint_name
from derive.check import ELEMENTWISE_MAX_ENTRIES as PROVE_MAX_ENTRIES
from derive.check import CaseResult, GradientCheck, PrintedCheck
from derive.compile import evaluate_numeric
from derive.functions import sigmoid
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


# ---------------------------------------------------------------- small formatters


# LaTeX read as plain text (a terminal, a diagram label): Greek letters, sub- and
# superscripts in Unicode.
_TEX_WORDS = {r"\sigma": "σ", r"\nu": "ν", r"\alpha": "α", r"\Lambda": "Λ", r"\mu": "μ",
              r"\tfrac{1}{2}": "½", r"\lVert": "‖", r"\rVert": "‖", r"\max": "max",
              r"\sum": "Σ", r"\prod": "Π", r"\partial": "∂", r"\cdot": "·", r"\times": "×",
              r"\odot": "⊙", r"\circ": "∘", r"\top": "ᵀ", r"\infty": "∞", r"\sqrt": "√"}
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUP = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def tex_text(tex: str) -> str:
    """f_1(x) = x^{2} -> f₁(x) = x²; \\sigma -> σ. Plain text passes through unchanged."""
    tex = re.sub(r"\\sqrt\{([^{}]*)\}", r"√(\1)", tex)
    for word, char in _TEX_WORDS.items():
        tex = tex.replace(word, char)
    tex = re.sub(r"_\{?(\d+)\}?", lambda m: m.group(1).translate(_SUB), tex)
    tex = re.sub(r"\^\{?(-?\d+)\}?", lambda m: m.group(1).translate(_SUP), tex)
    tex = re.sub(r"\^\{([^{}]*)\}", r"^(\1)", tex)
    tex = re.sub(r"\\(?:operatorname|mathrm|text|mathbf)\{([^{}]*)\}", r"\1", tex)
    tex = re.sub(r"\\(?:left|right)\b", "", tex)
    tex = re.sub(r"\\([A-Za-z]+)", r"\1", tex)  # \log, \exp, ...: the word itself
    return tex.replace("\\", "")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def shape_text(shape: Sequence[int]) -> str:
    """(3, 2) -> '3×2'; () -> 'scalar'."""
    return "×".join(str(s) for s in shape) if len(shape) else "scalar"


def shape_tex(shape: Sequence[int]) -> str:
    return "(" + r" \times ".join(str(s) for s in shape) + ")" if len(shape) else ""


def fmt(v: Any, digits: int | None = 10) -> str:
    """A number as text (digits None: Python's shortest exact repr); -0 shown as 0."""
    try:
        x = float(v)
    except (TypeError, ValueError):
        return str(v)
    if np.isnan(x):
        return "nan"
    if np.isinf(x):
        return "inf" if x > 0 else "-inf"
    return repr(x + 0.0) if digits is None else f"{x + 0.0:.{digits}g}"


def fmt_err(v: float | None) -> str:
    return "" if v is None or np.isnan(v) else f"{v:.1e}"


def fmt_value(v: Any, digits: int | None = 10) -> str:
    """A scalar or a small array as text, nested like numpy prints it."""
    if isinstance(v, str):
        return v
    if v is None:
        return "—"
    a = np.asarray(v, dtype=np.float64)
    if a.ndim == 0:
        return fmt(a, digits)

    def rec(x: np.ndarray) -> str:
        if x.ndim == 1:
            return "[" + ", ".join(fmt(e, digits) for e in x) + "]"
        return "[" + ", ".join(rec(r) for r in x) + "]"

    return rec(a)


def index_text(idx: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(i) for i in idx) + "]" if idx else "—"


def partial_tex(num: str, den: str) -> str:
    return rf"\frac{{\partial {name_latex(num)}}}{{\partial {name_latex(den)}}}"


def under(tex: str, shape: Sequence[int]) -> str:
    """The shape written under a factor, the way the slides annotate (3×2)."""
    return rf"\underset{{{shape_tex(shape)}}}{{{tex}}}" if len(shape) else tex


# ---------------------------------------------------------------- text with math in it

_ENGLISH = re.compile(r"[A-Za-z]{2,}")
_MATH_WORDS = {"sum", "mean", "max", "min", "exp", "log", "tanh", "sqrt", "sigma", "mu", "nu"}
_SHAPE_WORD = re.compile(r"\d+x\d+")
_MATHY = re.compile(r"[\\^_=]")
_EDGE_PUNCT = ",.;:"
_UNSAFE_IN_MATH = re.compile(r"[%#&$~<>\"]|\\(?![A-Za-z,;!{}| ])|\\$")


def _is_word(token: str) -> bool:
    core = token.strip("()[],.;:'\"").removesuffix("'s")
    if token.lstrip("(").startswith("\\"):
        return False
    if _SHAPE_WORD.fullmatch(core):
        return True
    return bool(_ENGLISH.fullmatch(core)) and core.lower() not in _MATH_WORDS


def _balanced(s: str) -> bool:
    depth = {"{": 0, "(": 0}
    for c in s:
        if c in "{(":
            depth[c] += 1
        elif c in "})":
            key = "{" if c == "}" else "("
            depth[key] -= 1
            if depth[key] < 0:
                return False
    return all(v == 0 for v in depth.values())


def mixed(text: str) -> list[dict[str, str]]:
    """Split text that mixes words and LaTeX into text and math segments.

    Explicit ``$...$`` wins. Otherwise runs of non-word tokens that carry LaTeX (a backslash,
    ^, _ or =) and balance their brackets become math; everything else stays text, so a
    wrong guess shows raw characters, never broken LaTeX.
    """
    if "$" in text and text.count("$") % 2 == 0:
        parts = text.split("$")
        return [{"kind": "math" if i % 2 and _safe_math(p) else "text",
                 "value": p if i % 2 == 0 or _safe_math(p) else f"${p}$"}
                for i, p in enumerate(parts) if p]
    out: list[dict[str, str]] = []
    run: list[str] = []

    def flush() -> None:
        if not run:
            return
        span = " ".join(run)
        run.clear()
        core = span.rstrip(_EDGE_PUNCT)
        single = re.fullmatch(r"[A-Za-z]", core) is not None
        if (single or _MATHY.search(core)) and _safe_math(core):
            for k, piece in enumerate(_top_level_split(core)):
                if k:
                    _text(out, ", ")
                out.append({"kind": "math", "value": piece})
            _text(out, span[len(core):])
        else:
            _text(out, span)

    for i, token in enumerate(text.split(" ")):
        if token and not _is_word(token):
            if not run and i:
                _text(out, " ")
            run.append(token)
            continue
        flush()
        _text(out, (" " if i else "") + token)
    flush()
    return [seg for seg in out if seg["value"]]


def _safe_math(s: str) -> bool:
    """Math both outputs can take: balanced, none of TeX's text specials, MathML converts it."""
    from derive.reports.mathml import MathMLError, to_mathml

    if not _balanced(s) or _UNSAFE_IN_MATH.search(s):
        return False
    try:
        to_mathml(s)
    except MathMLError:
        return False
    return True


def _top_level_split(s: str) -> list[str]:
    """Split at ", " outside brackets: "a = f(x, y), b = 2" -> ["a = f(x, y)", "b = 2"]."""
    pieces, depth, start = [], 0, 0
    for i, c in enumerate(s):
        if c in "({[":
            depth += 1
        elif c in ")}]":
            depth -= 1
        elif depth == 0 and s.startswith(", ", i):
            pieces.append(s[start:i])
            start = i + 2
    return pieces + [s[start:]]


def _text(out: list[dict[str, str]], s: str) -> None:
    if out and out[-1]["kind"] == "text":
        out[-1]["value"] += s
    else:
        out.append({"kind": "text", "value": s})


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


# ---------------------------------------------------------------- elementwise matrices


class SigmaPrime(sp.Function):
    """σ'(a), for display only: σ(a)(1 - σ(a)) folded back into the documents' notation."""

    nargs = 1

    def _latex(self, printer: Any, exp: Any = None) -> str:
        base = rf"\sigma'\left({printer._print(self.args[0])}\right)"
        return base if exp is None else rf"{base}^{{{exp}}}"


def fold_sigma_prime(e: sp.Expr) -> sp.Expr:
    """Rewrite every σ(a)·(1 - σ(a)) inside ``e`` as σ'(a)."""
    if e.is_Atom:
        return e
    args = tuple(fold_sigma_prime(a) for a in e.args)
    if args != e.args:
        e = e.func(*args)
    if not e.is_Mul:
        return e
    factors = list(e.args)
    args = {f.args[0] for f in factors if isinstance(f, sigmoid)}
    for arg in sorted(args, key=sp.default_sort_key):
        s, one_minus = sigmoid(arg), 1 - sigmoid(arg)
        if s in factors and one_minus in factors:
            factors.remove(s)
            factors.remove(one_minus)
            factors.append(SigmaPrime(arg))
    return sp.Mul(*factors)


Abbreviations = tuple[dict[sp.Expr, sp.Symbol], dict[sp.Symbol, str], list[dict[str, Any]]]


def step_symbols(result: CaseResult) -> Abbreviations:
    """Each step's entries, written out, -> a short symbol (n_11 for N), as 000 writes XW_11."""
    ew = result.elementwise
    assert ew is not None
    env: dict[str, np.ndarray] = dict(ew.symbols)
    mapping: dict[sp.Expr, sp.Symbol] = {}
    names: dict[sp.Symbol, str] = {}
    legend: list[dict[str, Any]] = []
    for s in result.graph.steps:
        env[s.name] = EW.evaluate(s.node, env)
        if s.node is result.graph.output:
            continue
        if s.shape:
            if not re.fullmatch(r"[A-Za-z]+\d*", s.name):
                continue
            syms = EW.element_symbols(s.name, s.shape)
            example = re.sub(r"_\{[^{}]*\}$", "_{ij}" if len(s.shape) > 1 else "_{i}",
                             sp.latex(syms.reshape(-1)[0]))
        else:
            syms = np.array(sp.Symbol(f"step__{s.name}", real=True), dtype=object)
            names[syms[()]] = name_latex(s.name)
            example = name_latex(s.name)
        for idx in np.ndindex(*s.shape):
            value = env[s.name][idx]
            if not value.is_Atom:
                mapping[value] = syms[idx]
        legend.append({"symbol": example, "step": name_latex(s.name), "name": s.name,
                       "symbols": set(np.ravel(syms))})
    return mapping, names, legend


def abbreviated(grad: np.ndarray, abbreviations: Abbreviations | None,
                inside_sums: bool = False) -> np.ndarray:
    """Each entry with sigma(a)(1 - sigma(a)) folded to sigma'(a) and the steps' entries named
    (n_11 for an entry of N). inside_sums also finds a step's entry inside a longer sum (y - P
    reads y_11 - p_11), with subs, latest step first: clearer, but seconds slower per case, so
    the report (every case) keeps the exact-subtree match."""
    mapping = abbreviations[0] if abbreviations else {}
    pairs = list(reversed(mapping.items()))

    def one(e: Any) -> sp.Expr:
        folded = fold_sigma_prime(sp.sympify(e))
        return folded.subs(pairs) if inside_sums else folded.xreplace(mapping)

    return np.vectorize(one, otypes=[object])(grad)


def steps_used(grad: np.ndarray, abbreviations: Abbreviations | None) -> list[dict[str, Any]]:
    """The legend rows (step symbols) that the abbreviated entries mention."""
    free = set().union(*(sp.sympify(e).free_symbols for e in np.ravel(grad)))
    return [g for g in (abbreviations[2] if abbreviations else []) if g["symbols"] & free]


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


# ---------------------------------------------------------------- values along the graph


def adjoint_values(result: CaseResult) -> dict[str, np.ndarray]:
    """dLd<name> for every step and differentiated input, evaluated at the point."""
    env: dict[str, Any] = dict(result.inputs)
    env.update(result.steps)
    out: dict[str, np.ndarray] = {}
    with np.errstate(all="ignore"):
        for a in result.backward.assignments:
            value = evaluate_numeric(a.expr, env)
            env[a.target] = value
            out[a.of] = np.asarray(value, dtype=np.float64)
    return out


def summary_value(v: Any) -> str:
    """A scalar, or shape and a short summary, for an edge of the diagram."""
    a = np.asarray(v, dtype=np.float64)
    if a.size == 1:
        return fmt(a.reshape(()), 4)
    return f"{shape_text(a.shape)}, mean {fmt(a.mean(), 3)}"


def norm_value(v: Any) -> str:
    a = np.asarray(v, dtype=np.float64)
    if a.size == 1:
        return fmt(a.reshape(()), 4)
    return f"‖·‖ {fmt(np.linalg.norm(a), 3)}"


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


# ---------------------------------------------------------------- findings


def claim_context(i: int, c: Any, case_anchors: Mapping[str, str],
                  figure: str | None = None) -> dict[str, Any]:
    cl = c.claim
    first = cl.text.strip().splitlines()[0] if cl.text.strip() else ""
    diagnosis = c.diagnosis or ""
    return {
        "short": first if len(first) <= SHORT_CLAIM else first[:SHORT_CLAIM - 1] + "…",
        "headline": "" if c.message.startswith(diagnosis) else diagnosis,
        "index": i,
        "anchor": f"claim-{i}",
        "source": cl.source,
        "kind": cl.kind,
        "text": cl.text,
        "tex": cl.latex,
        "verdict": c.verdict,
        "diagnosis": c.diagnosis or "",
        "message": c.message,
        "note": cl.note,
        "correct_tex": _with_lhs(cl.latex, c.correct_latex),
        "correct_code": c.correct_code,
        "case": cl.case,
        "case_anchor": case_anchors.get(cl.case or "", ""),
        "figure": figure,
    }


def _with_lhs(claimed: str | None, correct: str | None) -> str | None:
    """The correct right-hand side under the claim's own left-hand side: dγ/dW = X^T 1."""
    if not correct or not claimed or "=" not in claimed:
        return correct
    lhs = claimed.split("=", 1)[0].strip()
    return f"{lhs} = {correct}" if lhs and _balanced(lhs) and "&" not in lhs else correct


def summary(results: Sequence[CaseResult], claims: Sequence[Any]) -> dict[str, Any]:
    grads = [g for r in results for g in r.gradients.values()]
    comps = [c for g in grads for c in (g.vs_matrix, g.vs_fd, g.vs_hand) if c is not None]
    printed = [p for r in results for p in r.printed]
    verdicts = [c.verdict for c in claims]
    return {
        "cases": len(results),
        "cases_ok": sum(r.ok for r in results),
        "gradients": len(grads),
        "proved": sum(1 for g in grads if g.proof is not None and g.proof.proved),
        "comparisons": len(comps),
        "agreements": sum(c.ok for c in comps),
        "printed": len(printed),
        "printed_reproduced": sum(p.reproduces for p in printed),
        "as_printed": sum(1 for g in grads if g.vs_printed is not None),
        "as_printed_wrong": sum(1 for g in grads if g.vs_printed is not None
                                and not g.vs_printed.ok),
        "claims": len(claims),
        "claims_correct": verdicts.count("correct"),
        "claims_wrong": verdicts.count("wrong"),
        "claims_garbled": verdicts.count("garbled"),
        "failing": [r.case.name for r in results if not r.ok],
    }


TRAINING_COLUMNS = ["model", "run", "gradient", "MSE (test)", "R² (test)", "final loss",
                    "diverged at step"]


TRAINING_CAPTIONS = {
    "loss-linear": "Linear regression: training loss with the verified, the as-printed and the "
                   "rescaled gradient (same seed, same batches).",
    "loss-two-layer": "Two-layer network: training loss with the verified, the as-printed and "
                      "the rescaled gradient (same seed, same batches).",
    "predicted": "Predicted against actual on the test split, verified gradients.",
}


def training_pdf_name(plot: str) -> str:
    """Where a training plot's PDF goes in the report folder (reports.build writes it)."""
    return f"figures/training-{slug(plot)}.pdf"


def training_context(training: Any) -> dict[str, Any] | None:
    """Optional hook for the training section (reports/training.py): None renders nothing.

    Takes ``training_summary()``'s dict (schema 1). Run times are left out: they differ
    between runs and the report must not.
    """
    if training is None:
        return None
    from derive.reports.plots import clean_svg

    data = training.get("data", {})
    rows = [[model.get("title", key), run, r.get("label", ""), fmt(r.get("mse"), 6),
             fmt(r.get("r2"), 4), fmt(r.get("final_loss"), 6),
             "—" if r.get("diverged_at") is None else str(r["diverged_at"])]
            for key, model in sorted(training.get("models", {}).items())
            for run, r in model.get("runs", {}).items()]
    sk = training.get("sklearn") or {}
    return {
        "title": "Training the documents' networks",
        "data": " — ".join(str(data[k]) for k in ("title", "source", "why") if data.get(k)),
        "sklearn": (f"least squares (as scikit-learn LinearRegression) on the same split: "
                    f"MSE {fmt(sk['mse'], 6)}, R² {fmt(sk['r2'], 4)}") if "mse" in sk else "",
        "columns": TRAINING_COLUMNS,
        "rows": rows,
        "goals": [{"claim": g.get("claim", g.get("name", "")), "holds": bool(g.get("holds")),
                   "detail": g.get("detail", "")} for g in training.get("goals", [])],
        "notes": [str(n) for n in training.get("notes", [])],
        "svgs": [{"name": k, "svg": clean_svg(v, f"training-{slug(k)}"),
                  "caption": TRAINING_CAPTIONS.get(k, "")}
                 for k, v in sorted(training.get("plots", {}).items())],
        "pdfs": [{"name": k, "file": training_pdf_name(k), "caption": TRAINING_CAPTIONS.get(k, k)}
                 for k in sorted(training.get("plots_pdf", {}))],
    }


def report_context(results: Sequence[CaseResult], claims: Sequence[Any],
                   figures: Mapping[str, Mapping[str, Any]] | None = None,
                   training: Any = None) -> dict[str, Any]:
    """The whole report: summary, cases, findings, figures (by name), training."""
    figures = dict(figures or {})
    by_case: dict[str, list[str]] = {}
    by_claim: dict[int, str] = {}
    for name in sorted(figures):
        f = figures[name]
        if f.get("case"):
            by_case.setdefault(f["case"], []).append(name)
        if f.get("claim"):
            by_claim[int(f["claim"])] = name
    cases = [case_context(r, claims, by_case.get(r.case.name, ())) for r in results]
    anchors = {c["name"]: c["anchor"] for c in cases}
    findings = [claim_context(i, c, anchors, by_claim.get(i))
                for i, c in enumerate(claims, start=1)]
    general = [n for n in sorted(figures) if figures[n].get("group") == "method"]
    return {
        "title": "Derivations checked: the chain rule and backpropagation in the documents",
        "convention": mixed(CONVENTION),
        "summary": summary(results, claims),
        "cases": cases,
        "findings": findings,
        "figures": figures,
        "method_figures": general,
        "training": training_context(training),
    }


# ---------------------------------------------------------------- Jupyter


def render_case_html(result: CaseResult) -> str:
    """A case as an HTML fragment (Jupyter's _repr_html_), with its diagram."""
    from derive.reports import diagram, html

    name = f"diagram-{slug(result.case.name)}"
    figures = {name: {"svg": diagram.case_svg(result), "caption": "computational graph",
                      "case": result.case.name, "group": "diagram"}}
    return html.render_fragment(case_context(result, figures=[name]), figures)


def render_case_latex(result: CaseResult) -> str:
    """A case's steps, factors and gradients as one display formula (Jupyter's _repr_latex_)."""
    c = case_context(result)
    lines = [s["tex"] for s in c["steps"]]
    lines += [f["tex"] for f in c["factors"]]
    lines += [g["matrix_tex"] for g in c["gradients"]]
    body = r" \\ ".join(lines)
    return rf"$$\begin{{array}}{{l}} {body} \end{{array}}$$"
