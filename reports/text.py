"""Small formatters: numbers, shapes, names and LaTeX read as plain text.

Pure string work shared by the report's context, the diagram and the terminal; nothing here
computes a derivative or evaluates a graph.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from derive.printers import name_latex

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



_COMMAND = re.compile(r"\\[A-Za-z]+|[{}_^&]")


def glyphs(tex: str) -> int:
    """About how many characters wide LaTeX prints: commands and braces do not count."""
    return len(_COMMAND.sub("", tex).replace(" ", ""))


def _top_level_breaks(tex: str) -> list[int]:
    """Where a long formula may break: before a top-level +, - or = (not inside braces or
    \\left ... \\right)."""
    out, depth, i = [], 0, 0
    while i < len(tex):
        if tex.startswith(r"\left", i) and not tex.startswith(r"\leftarrow", i):
            depth += 1
            i += 5
            continue
        if tex.startswith(r"\right", i) and not tex.startswith(r"\rightarrow", i):
            depth -= 1
            i += 6
            continue
        c = tex[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif depth == 0 and i and tex[i - 1] == " " and c in "+-=" and tex[i + 1:i + 2] == " ":
            out.append(i)
        i += 1
    return out


def wrap_tex(tex: str, width: int) -> str:
    """A display formula wider than ``width`` glyphs as left-aligned lines (an array, which
    MathML and pdflatex both take), broken before top-level + and − signs; a formula with
    nowhere to break, or with its own layout, is returned as it is."""
    if glyphs(tex) <= width or r"\begin" in tex:
        return tex
    cuts = _top_level_breaks(tex)
    pieces = [tex[a:b].strip() for a, b in zip([0, *cuts], [*cuts, len(tex)], strict=True)]
    lines: list[str] = []
    for piece in pieces:
        if lines and glyphs(lines[-1]) + glyphs(piece) <= width:
            lines[-1] += " " + piece
        else:
            lines.append(piece)
    if len(lines) < 2:
        return tex
    return r"\begin{array}{l} " + r" \\ \qquad ".join(lines) + r" \end{array}"


def widest_line(tex: str) -> int:
    """The glyphs of the widest line of a (possibly wrapped) formula."""
    return max(glyphs(line) for line in tex.split(r"\\"))
