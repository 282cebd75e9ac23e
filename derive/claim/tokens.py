"""Split a claimed formula into tokens, numpy style or LaTeX, each with its column.

A formula is data: this module only reads characters. Anything outside the small alphabet
of the two notations is an error that names its column, before any parsing happens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from derive.errors import DeriveError

# A formula longer than this is not a hand derivation; refusing it keeps parsing bounded.
MAX_FORMULA_CHARS = 2000

# ... or with more tokens than this: every stage after parsing walks the tree recursively,
# and a 150-term sum stays far from Python's recursion limit.
MAX_TOKENS = 300


class FormulaError(DeriveError):
    """A formula that cannot be read: the message names the column and what was expected."""

    def __init__(self, column: int, message: str) -> None:
        super().__init__(f"cannot read the formula at column {column}: {message}")
        self.column = column


@dataclass(frozen=True)
class Token:
    """kind: num, name, cmd (a LaTeX command such as \\frac), op (punctuation) or end."""

    kind: str
    text: str
    col: int  # 1-based column in the formula

    def show(self) -> str:
        return "the end of the formula" if self.kind == "end" else repr(self.text)


# Unicode a formula may be written with, as the LaTeX it stands for.
UNICODE = {
    "σ": ("cmd", r"\sigma"), "⊙": ("cmd", r"\odot"), "∘": ("cmd", r"\circ"),
    "·": ("cmd", r"\cdot"), "ᵀ": ("op", "ᵀ"), "−": ("op", "-"), "′": ("op", "'"),
    "𝟙": ("cmd", "𝟙"), "∑": ("cmd", r"\sum"), "²": ("op", "²"), "≥": ("op", ">="),
    "≤": ("op", "<="), "×": ("cmd", r"\times"), "∂": ("cmd", r"\partial"),
}
# Unicode that reads the same in both notations (∂L/∂P in a numpy-style formula).
BOTH = {"∂"}

# LaTeX spacing and sizing: read past, they carry no meaning here.
SKIPPED = {r"\,", r"\;", r"\!", r"\:", r"\ ", r"\quad", r"\qquad", r"\big", r"\Big",
           r"\bigg", r"\Bigg", r"\bigl", r"\bigr", r"\Bigl", r"\Bigr", r"\displaystyle"}

_NUM = re.compile(r"\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?")
_NAME_NUMPY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NAME_LATEX = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_CMD = re.compile(r"\\(?:[A-Za-z]+|[,;!:{}| ])")
_OPS = ("**", ">=", "<=", "==", "!=")
_SINGLE = "+-*/@^_'()[]{},.=<>|&"


def is_latex(text: str) -> bool:
    """LaTeX (or the Unicode that stands for it) rather than numpy style."""
    return any(c in text for c in "\\^{}") or any(c in UNICODE and c not in BOTH for c in text)


def tokenize(text: str, latex: bool, colon: bool = False) -> list[Token]:
    """The tokens of ``text``, ending with an ``end`` token (``colon``: ':' is one, for the
    documents' indexing W[:, 0])."""
    if len(text) > MAX_FORMULA_CHARS:
        raise FormulaError(MAX_FORMULA_CHARS + 1, f"the formula is longer than "
                           f"{MAX_FORMULA_CHARS} characters")
    out: list[Token] = []
    names = _NAME_LATEX if latex else _NAME_NUMPY
    i = 0
    while i < len(text):
        c = text[i]
        if c.isspace() or (latex and c == "~"):
            i += 1
            continue
        m = _NUM.match(text, i) if (c.isdigit() or c == ".") else None
        if m:
            out.append(Token("num", m.group(), i + 1))
            i = m.end()
            continue
        m = names.match(text, i)
        if m:
            out.append(Token("name", m.group(), i + 1))
            i = m.end()
            continue
        if c == "\\":
            m = _CMD.match(text, i)
            if not m:
                raise FormulaError(i + 1, "expected a LaTeX command after '\\'")
            if m.group() not in SKIPPED:
                out.append(Token("cmd", m.group(), i + 1))
            i = m.end()
            continue
        if c in UNICODE:
            kind, t = UNICODE[c]
            out.append(Token(kind, t, i + 1))
            i += 1
            continue
        two = text[i:i + 2]
        if two in _OPS:
            out.append(Token("op", two, i + 1))
            i += 2
            continue
        if c in _SINGLE or (colon and c == ":"):
            out.append(Token("op", c, i + 1))
            i += 1
            continue
        raise FormulaError(i + 1, f"unexpected character {c!r}")
    if len(out) > MAX_TOKENS:
        raise FormulaError(out[MAX_TOKENS].col, f"the formula has more than {MAX_TOKENS} "
                           "symbols")
    out.append(Token("end", "", len(text) + 1))
    return out
