"""The documents' printed formulas, read by the one formula grammar of :mod:`derive.claim`.

A formula such as ``ones_like(S) * dsigmoid(N) @ W.T`` is parsed by
:func:`derive.claim.parse.parse` in the documents' vocabulary (numpy style, open names,
``ones_like``, ``f1``, indexing: :mod:`derive.claim.documents`) and evaluated by walking the
tree (:mod:`derive.claim.evaluate`). Nothing is passed to ``eval`` or ``sympify``. The same
formula evaluates on numpy arrays and on traced arrays, so a printed premise can be
differentiated by the engine and a printed derivative compared with the result. Products
read as numpy reads them: ``*`` and ``@`` bind equally, left to right.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from derive.claim import ast as A
from derive.claim.documents import leftmost
from derive.claim.evaluate import evaluate
from derive.claim.parse import parse
from derive.claim.tokens import FormulaError
from derive.errors import InputError

MAX_LENGTH = 500  # a printed formula is a line or two; anything longer is not one


class Formula:
    """A parsed formula (``tree``: products grouped left to right); call it with arrays."""

    def __init__(self, text: str) -> None:
        if len(text) > MAX_LENGTH:
            raise InputError(f"formula longer than {MAX_LENGTH} characters")
        try:
            parsed = parse(text, (), latex=False, documents=True)
        except FormulaError as exc:
            raise InputError(f"formula {text!r}: {exc}") from None
        self.text = text
        self.parsed: A.Ast = parsed.tree  # as written: unbracketed products kept as a Chain
        self.tree: A.Ast = leftmost(parsed.tree)
        self.names: list[str] = list(parsed.names)

    def __call__(self, **env: Any) -> Any:
        missing = [n for n in self.names if n not in env]
        if missing:
            raise InputError(f"formula {self.text!r} needs values for {missing}")
        return evaluate(self.tree, env)


def as_function(text: str) -> tuple[Callable[..., Any], list[str]]:
    """The formula as a function of keyword arrays (for the tracer), and the names it reads."""
    f = Formula(text)

    def premise(**env: Any) -> Any:
        return f(**env)

    return premise, f.names
