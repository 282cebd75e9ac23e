"""The delta rule of 003, written as the post writes it, with the shape under every factor.

A case may carry ``extra["delta_rule"]``: named steps (δ3 = (X3 − T) ⊙ f3'(X2 W3), ...,
∂E/∂Wk = Xk−1ᵀ δk) in the one formula grammar, and ``extra["dims"]``: each input's
sizes by the post's names (n, id, h1, h2, od). ``delta_rule`` renders each step in the post's
notation, walks its factors' shapes by name, evaluates it at the case's point and checks every
∂E/∂Wk against the engine's exact gradient, so the printed recursion is the checked one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from derive.claim import ast as A
from derive.claims.notation import render, shape_of, shape_text
from derive.formula import Formula
from derive.numeric.compare import compare

if TYPE_CHECKING:
    from derive.check import CaseResult


@dataclass(frozen=True)
class Factor:
    text: str  # in the post's notation
    shape: str  # sizes by name, e.g. "n×h2"


@dataclass(frozen=True)
class DeltaStep:
    """One line of the recursion: its left side, right side, factors with shapes, and check."""

    name: str  # the formula name (d3) or the weight it differentiates by (W3)
    lhs: str  # δ3, or ∂E/∂W3
    rhs: str  # (X3 − T) ⊙ f3'(X2 W3)
    factors: tuple[Factor, ...]
    shape: str
    ok: bool | None  # a gradient step agrees with the engine's exact gradient (None: a δ)
    message: str = ""


def _factors(text: str, env: Mapping[str, Any], dims: Mapping[str, tuple[str, ...]],
             names: Mapping[str, str]) -> tuple[Factor, ...]:
    """The operands of the top-level products, each with its shape (a chain of @ and ⊙)."""
    out: list[A.Ast] = []

    def split(node: A.Ast) -> None:
        if isinstance(node, A.Bin) and node.op in ("matmul", "mul"):
            split(node.a)
            split(node.b)
        else:
            out.append(node)

    split(Formula(text).tree)
    return tuple(Factor(render(p, names), shape_text(shape_of(p, env, dims) or ())) for p in out)


def delta_rule(result: CaseResult) -> tuple[DeltaStep, ...]:
    """The case's delta rule, rendered, shaped and checked (empty if the case has none)."""
    steps = result.case.extra.get("delta_rule", ())
    dims = dict(result.case.extra.get("dims", {}))
    names = dict(result.case.extra.get("names", {}))
    env: dict[str, Any] = {**result.inputs, **result.steps}
    out = []
    for name, lhs, text in steps:
        shape = shape_of(text, env, dims) or ()
        factors = _factors(text, env, dims, names)
        value = np.asarray(Formula(text)(**env), dtype=np.float64)
        ok, message = None, ""
        if name in result.gradients:
            cmp = compare(result.gradients[name].exact, value)
            ok, message = cmp.ok, cmp.message
        else:
            env[name] = value
            dims[name] = shape
        out.append(DeltaStep(name, lhs, render(text, names), factors, shape_text(shape), ok,
                             message))
    return tuple(out)
