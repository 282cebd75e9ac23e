"""The chain-rule steps of the right gradient, with the shape under each factor, and the
first step a wrong claim departs from.

The steps are the derivation's own assignments (:mod:`derive.backward`), output side first.
A claim departs at the first step whose value appears nowhere among its subexpressions
(nor their transposes); a multiple of it is named with its factor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from derive import expr as E
from derive.backward import Assignment, Backward, adjoint_name, chain
from derive.claim.build import Scope
from derive.claim.factor import at_n
from derive.claim.judge import forms, value
from derive.claim.points import Setting
from derive.closed import by_values, simplify
from derive.expr import Node
from derive.numeric.compare import compare
from derive.printers import name_latex, name_text

# A subexpression is the step's value when they agree this closely (same float64 products).
MATCH_RTOL = 1e-9


@dataclass(frozen=True)
class Piece:
    text: str
    shape: str  # in words: n×4


@dataclass(frozen=True)
class ChainStep:
    target: str  # ∂L/∂P
    of: str
    pieces: tuple[Piece, ...]
    latex: str

    @property
    def line(self) -> str:
        return f"{self.target} = {' '.join(p.text for p in self.pieces)}"

    def lines(self) -> list[str]:
        """The step, and under each factor its shape."""
        head = f"{self.target} = "
        top, bottom = head, " " * len(head)
        for p in self.pieces:
            width = max(len(p.text), len(p.shape))
            top += p.text.center(width) + " "
            bottom += (p.shape if p.text not in ("·", "⊙") else "").center(width) + " "
        return [top.rstrip(), bottom.rstrip()]

    def to_json(self) -> dict[str, object]:
        return {"target": self.target, "text": self.line, "latex": self.latex,
                "factors": [{"text": p.text, "shape": p.shape} for p in self.pieces
                            if p.shape]}


@dataclass(frozen=True)
class Departure:
    step: ChainStep
    has: str  # what the claim has there ('' when nothing like it)
    how: str

    def text(self) -> str:
        return f"your formula departs at {self.step.line}: {self.how}"

    def to_json(self) -> dict[str, object]:
        return {"step": self.step.target, "has": self.has, "how": self.how}


def chain_steps(bw: Backward, name: str, scope: Scope) -> list[ChainStep]:
    return [_step(a, bw, scope) for a in chain(bw, name)]


def _simplified(n: Node, bw: Backward) -> Node:
    try:
        return simplify(by_values(n, bw.graph))
    except (RecursionError, ValueError, TypeError):
        return n  # printed as derived


def _shown(n: Node, bw: Backward, scope: Scope) -> str:
    return forms(_simplified(n, bw), scope)[0]


def _step(a: Assignment, bw: Backward, scope: Scope) -> ChainStep:
    words = scope.shape_words
    target = name_text(a.target)
    latex = f"{name_latex(a.target)} = {forms(_simplified(a.expr, bw), scope)[1]}"
    if len(a.terms) == 1 and not a.terms[0].summed:
        t = a.terms[0]
        adj = Piece(name_text(adjoint_name(t.via)), words(_shape_of(bw, t.via)))
        if t.combine == "identity":
            return ChainStep(target, a.of, (adj,), latex)
        if t.factor is not None and t.combine in ("right", "left", "hadamard"):
            f = Piece(_shown(t.factor, bw, scope), words(t.factor.shape))
            if t.combine == "hadamard":
                pieces = (adj, Piece("⊙", ""), f)
            else:
                pieces = (adj, Piece("·", ""), f) if t.combine == "right" else \
                    (f, Piece("·", ""), adj)
            return ChainStep(target, a.of, pieces, latex)
    whole = Piece(_shown(a.expr, bw, scope), words(a.expr.shape))
    return ChainStep(target, a.of, (whole,), latex)


def _shape_of(bw: Backward, via: str) -> tuple[int, ...]:
    try:
        return bw.graph.step(via).shape
    except KeyError:
        return bw.assignment(via).shape


def departure(claim: Node, s: Setting, name: str, steps: list[ChainStep]) -> Departure | None:
    """The first step whose value the claim does not contain (exactly, or transposed); the
    last step when the claim has every value right in the wrong shape (a scalar for 1×1)."""
    bw = s.derivation.backward
    env = s.envs[0]
    reshaped = _values_right(value(claim, env), value(bw.gradient(name), env))
    if reshaped and steps:
        return Departure(steps[-1], "", reshaped)
    subs = [(n, value(n, env)) for n in E.topological(claim)
            if not n.is_leaf and n.op not in ("dim",)]
    subs += [(n, value(n, env)) for n in E.topological(claim) if n.op == "input" or n.name]
    last = None  # the latest step the claim holds exactly
    skipped: ChainStep | None = None  # the first step it never mentions (maybe simplified away)
    skipped_truth = np.zeros(0)
    for st in steps:
        node = bw.gradient(st.of)
        if node.op in ("ones", "full", "const") or \
                not any(x.op == "input" for x in E.topological(node)):
            continue  # a constant (dL/dS = 𝟙 of a sum): nothing to depart from
        truth = value(node, env)
        if not np.all(np.isfinite(truth)):
            return None
        if any(_equal(v, truth) or _equal(v.T, truth) for _, v in subs):
            last, skipped = st, None
            continue
        has, how = _closest(subs, truth, s.scope, st)
        if has or last is not None:
            if not has:
                how = f"your formula has {last.target} right, then {how}"  # type: ignore[union-attr]
            return Departure(st, has, how)
        if skipped is None:
            skipped, skipped_truth = st, truth
    if skipped is not None:
        return Departure(skipped, "", _closest([], skipped_truth, s.scope, skipped)[1])
    return None


def _values_right(mine: np.ndarray, truth: np.ndarray) -> str:
    """What to say when the claim's entries are the gradient's, only shaped otherwise."""
    mine, truth = np.asarray(mine), np.asarray(truth)
    if mine.shape == truth.shape or mine.size != truth.size or \
            not np.allclose(mine.reshape(-1), truth.reshape(-1), rtol=MATCH_RTOL, atol=1e-12):
        return ""
    return (f"every value is right, but your formula is {_words(mine.shape)} where the "
            f"gradient is {_words(truth.shape)} (keep the summed axis: keepdims=True)")


def _words(shape: tuple[int, ...]) -> str:
    return "×".join(map(str, shape)) or "a scalar"


def _equal(v: np.ndarray, truth: np.ndarray) -> bool:
    return v.shape == truth.shape and bool(np.allclose(v, truth, rtol=MATCH_RTOL, atol=1e-12))


def _closest(subs: list[tuple[Node, np.ndarray]], truth: np.ndarray, scope: Scope,
             st: ChainStep) -> tuple[str, str]:
    """What the claim has in place of this step: a multiple of it, or nothing like it."""
    for n, v in reversed(subs):
        if v.shape != truth.shape or not np.all(np.isfinite(v)):
            continue
        c = compare(truth, v)
        if c.diagnosis in ("scaled", "sign") and c.factor is not None:
            text = forms(n, scope)[0]
            k = "−1" if c.factor == -1 else at_n(c.factor, None if scope.batch is None
                                                  else scope.batch[1])
            return text, f"you have {text}, which is {k} times {st.target}"
    shape = scope.shape_words(truth.shape)
    return "", f"nothing in it equals {st.target} ({shape})"
