"""The gradient's names: ∂L/∂W1 written as ``W1``, ``dLdW1``, ``dL/dW1``, ``∂L/∂W1`` or
``\\frac{\\partial L}{\\partial W_1}``, both as the target of a claim and, inside a formula, as the
upstream gradient of an intermediate (``dLdP``: the adjoint of P the derivation computes).

Reading a name is matching a few fixed spellings; nothing is evaluated.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from derive.claim import ast as A
from derive.claim.tokens import FormulaError
from derive.errors import InputError

LOSS = "L"  # the forward's scalar output, as derive prints it (∂L/∂W1)

_IDENT = r"([A-Za-z_][A-Za-z0-9_]*?)(?:_\{?([A-Za-z0-9]+)\}?)?"
_SPELLINGS = (
    re.compile(rf"\\[dt]?frac\s*\{{\s*(?:\\partial\s*|d)\s*L\s*\}}\s*"
               rf"\{{\s*(?:\\partial\s*|d)\s*{_IDENT}\s*\}}"),
    re.compile(rf"(?:∂|d)\s*L\s*/\s*(?:∂|d)\s*{_IDENT}"),
    re.compile(rf"dLd{_IDENT}"),
    re.compile(_IDENT),
)
SPELLED = r"W1, dLdW1, dL/dW1, ∂L/∂W1 or \frac{\partial L}{\partial W1}"


def _pick(base: str, sub: str | None, names: Collection[str] | None) -> str:
    """W_1 is the forward's W1 or W_1, whichever it has (W1 when no names are given)."""
    if sub is None:
        return base
    if names is None:
        return f"{base}_{sub}"
    for cand in (f"{base}{sub}", f"{base}_{sub}"):
        if cand in names:
            return cand
    return f"{base}{sub}"


def target(text: str, names: Collection[str] | None = None) -> str:
    """The input a claim's gradient is taken with respect to, from any of its spellings."""
    raw = text.strip().strip("$").strip()
    if names is not None and raw in names:
        return raw
    for pattern in _SPELLINGS:
        m = pattern.fullmatch(raw)
        if m:
            return _pick(m.group(1), m.group(2), names)
    shown = raw if len(raw) <= 60 else raw[:57] + "..."
    raise InputError(f"cannot read the gradient's name {shown!r}: expected {SPELLED}")


class GradientNames:
    """Parser methods for ∂L/∂P inside a formula; ``self`` is derive.claim.parse's parser."""

    tok: Any
    at: Any
    take: Any
    peek: Any
    expect: Any
    fail: Any
    names: Any
    latex: Any

    def adjoint_of(self, text: str, col: int) -> A.Ast | None:
        """``dLdP`` (``dLdW_1`` in LaTeX) as the gradient of P; None if it is no such name."""
        m = re.fullmatch(r"dLd([A-Za-z_]\w*)", text)
        if text == "dL" and self.at("/") and self.peek().kind == "name" \
                and self.peek().text.startswith("d") and len(self.peek().text) > 1:
            self.take()  # dL/dP
            of = self.take().text[1:]
        elif m:
            of = m.group(1)
        else:
            return None
        if self.latex and self.at("_") and of not in self.names:
            of = self.subscript_of(of)
        return A.Grad(self.known_step(of, col), col=col)

    def subscript_of(self, base: str) -> str:
        self.take()
        if self.at("{"):
            self.take()
            sub = self.take().text
            self.expect("}")
        else:
            sub = self.take().text
        return _pick(base, sub, self.names)

    def known_step(self, of: str, col: int) -> str:
        if of not in self.names:
            listed = ", ".join(sorted(self.names))
            raise FormulaError(col, f"unknown name ∂L/∂{of}: the gradient is of L with respect "
                               f"to a name of your forward ({listed})")
        return of

    def partial(self) -> A.Ast:
        """``\\partial L / \\partial P`` (∂L/∂P)."""
        t = self.take()
        self.loss_letter()
        self.expect("/", "'/' in ∂L/∂...")
        self.expect(r"\partial", "∂ in ∂L/∂...")
        return self.grad_name(t.col)

    def frac_gradient(self) -> A.Ast | None:
        r"""``\frac{\partial L}{\partial P}`` or ``\frac{dL}{dP}``, the \frac already taken;
        None (nothing taken) when the fraction is a plain one."""
        first = self.peek()
        if not self.at("{") or not (
                (first.kind == "cmd" and first.text == r"\partial")
                or (first.kind == "name" and first.text == "dL" and self.peek(2).text == "}")):
            return None
        col = self.take().col
        if self.at(r"\partial"):
            self.take()
            self.loss_letter()
        else:
            self.take()
        self.expect("}")
        self.expect("{")
        if self.at(r"\partial"):
            self.take()
            out = self.grad_name(col)
        else:
            d = self.tok
            if d.kind != "name" or not d.text.startswith("d") or len(d.text) < 2:
                self.fail(r"\partial or d and a name in the denominator")
            self.take()
            of = d.text[1:]
            if self.at("_") and of not in self.names:
                of = self.subscript_of(of)
            out = A.Grad(self.known_step(of, d.col), col=col)
        self.expect("}", "'}' closing the fraction")
        return out

    def loss_letter(self) -> None:
        if self.tok.kind != "name" or self.tok.text != LOSS:
            self.fail(f"{LOSS} (the loss) in ∂{LOSS}/∂...")
        self.take()

    def grad_name(self, col: int) -> A.Ast:
        t = self.tok
        if t.kind != "name":
            self.fail("a name of your forward after ∂")
        self.take()
        of = t.text
        if self.latex and self.at("_") and of not in self.names:
            of = self.subscript_of(of)
        return A.Grad(self.known_step(of, t.col), col=col)
