"""Judge one reading of a claim against the derived gradient, at every set of shapes.

The derived gradient is the engine's own (traced forward, rules, compiled numpy); the
claim is evaluated on the same points; :func:`derive.numeric.compare.compare` names what
differs, in the vocabulary every report of the project uses. A factor found at two batch
sizes is written with n.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from derive import expr as E
from derive.claim import ast as A
from derive.claim.build import Scope, ShapeProblem, build
from derive.claim.factor import factor_text, fit, hint
from derive.claim.points import Setting
from derive.compile import evaluate_numeric
from derive.expr import Node
from derive.numeric.compare import Comparison, compare
from derive.printers import to_latex, to_numpy, to_text

# Two readings are one when their values agree this closely at the first point (float64
# evaluations of the same products in another order differ by ~1e-15).
SAME_READING_RTOL = 1e-10


@dataclass(frozen=True)
class Reading:
    """One grouping of the claim and its verdict."""

    tree: A.Ast = field(repr=False)
    node: Node | None = field(repr=False)
    text: str
    latex: str
    code: str
    verdict: str  # correct | wrong
    diagnosis: str | None
    factor: str | None
    message: str
    value: np.ndarray | None = field(default=None, repr=False, compare=False)
    scale: tuple[Fraction, int] | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict[str, object]:
        return {"text": self.text, "latex": self.latex, "code": self.code,
                "verdict": self.verdict, "diagnosis": self.diagnosis, "factor": self.factor,
                "message": self.message}


def display(node: Node, scope: Scope) -> Node:
    """For printing only: the batch size as n wherever it is read off an input (y.shape[0]
    prints as n), a mask [Z > 0] as the step function H(Z) it is (except at 0), and an
    upstream gradient the formula names (dLdP) as ∂L/∂P."""
    named = {x.name for x in scope.adjoints.values()}
    mapping = {x.uid: E.adjoint(x.name, x.shape) for x in E.topological(node)
               if x.name in named and x.op != "adjoint"}
    if scope.batch is None:
        return E.substitute(node, mapping) if mapping else node
    n = scope.batch[1]
    mapping.update({x.uid: E.leaf("n", ()) for x in E.topological(node)
                    if x.op == "dim" and x.attrs.axis == 0 and x.attrs.value == n})
    mapping.update({x.uid: E.fn("heaviside", x.args[0]) for x in E.topological(node)
                    if x.op == "compare" and x.attrs.op == ">" and E.is_const(x.args[1], 0.0)})
    return E.substitute(node, mapping) if mapping else node


def forms(node: Node, scope: Scope) -> tuple[str, str, str]:
    """(Unicode text, LaTeX, numpy) of an expression; a named step prints as its name."""
    shown = display(node, scope)
    if shown.name and shown.op != "const":
        return shown.name, to_latex(E.leaf(shown.name, shown.shape)), shown.name
    return to_text(shown), to_latex(shown), to_numpy(shown)


def value(node: Node, env: dict[str, np.ndarray]) -> np.ndarray:
    """The claim evaluated with numpy (the printer's code for a node we built)."""
    with np.errstate(all="ignore"):
        return np.asarray(evaluate_numeric(node, env), dtype=np.float64)


def judge(tree: A.Ast, sets: list[Setting], wrt: str) -> Reading:
    """The verdict of one reading: right at every set of shapes and point, or what is wrong."""
    nodes = []
    for k, s in enumerate(sets):
        try:
            nodes.append(build(tree, s.scope))
        except ShapeProblem as exc:
            where = "" if k == 0 else f" at {s.shapes_text()}"
            text, latex, code = _unbuilt(tree)
            return Reading(tree, None, text, latex, code, "wrong", "shape", None,
                           f"shape: {exc}{where}")
    text, latex, code = forms(nodes[0], sets[0].scope)
    found: list[tuple[Setting, Comparison, np.ndarray]] = []
    for s, node in zip(sets, nodes):
        for env, g in zip(s.envs, s.grads):
            found.append((s, compare(g, value(node, env)), g))
    first_value = value(nodes[0], sets[0].envs[0])
    wrong = [(s, c, g) for s, c, g in found if c.verdict == "wrong"]
    if not wrong:
        return Reading(tree, nodes[0], text, latex, code, "correct", None, None,
                       f"right at {len(sets)} set{'s' if len(sets) > 1 else ''} of shapes, "
                       f"{len(found)} points", first_value)
    s, c, g = wrong[0]
    factor, scale = None, None
    if c.factor is not None:
        per_shape = {id(x): (x.n, y.factor) for x, y, _ in wrong
                     if y.diagnosis == c.diagnosis and y.factor is not None}
        factor, depends = factor_text(list(per_shape.values()))
        scale = fit(list(per_shape.values()))
        if c.diagnosis in ("scaled", "sign") and depends:
            c = _as(c, "scaled")
    message = _message(c, factor, s, wrt, g, value(nodes[sets.index(s)], s.envs[0]))
    if s is not sets[0]:
        message += (f" at {s.shapes_text()}; right at {sets[0].shapes_text()}: a size written "
                    "as a number?")
    return Reading(tree, nodes[0], text, latex, code, "wrong", c.diagnosis, factor, message,
                   first_value, scale)


def _as(c: Comparison, diagnosis: str) -> Comparison:
    from dataclasses import replace

    return replace(c, diagnosis=diagnosis)


def _message(c: Comparison, factor: str | None, s: Setting, wrt: str, g: np.ndarray,
             got: np.ndarray | None) -> str:
    """The diagnosis in words, shapes by name (n for the batch)."""
    words = s.scope.shape_words
    want = words(g.shape)
    d = c.diagnosis
    if d in ("scaled", "sign"):
        depends = factor is not None and "n" in factor
        why = hint(factor or "", depends)
        text = "the sign is flipped" if factor in ("-1", "−1") else \
            f"your formula is {factor} times the gradient"
        return f"{d}: {text}" + (f" ({why})" if why and "flipped" not in text else "")
    shape = words(got.shape) if got is not None else ""
    if d == "transposed":
        return f"transposed: your formula is {shape}, the transpose of ∂L/∂{wrt} ({want})"
    scaled = "" if factor is None else f" {factor} times the gradient"
    if d == "missing-sum":
        verdict = f"be{scaled}" if scaled else "be right"
        return (f"missing-sum: your formula is {shape}; summed over the batch it would {verdict} "
                f"({wrt} is {want}, so ∂L/∂{wrt} is too)")
    if d == "collapsed":
        return f"collapsed: your formula is ∂L/∂{wrt} summed over an axis ({c.message})"
    if d == "shape":
        agree = " (its values are right)" if "values agree" in c.message else ""
        return (f"shape: your formula is {shape}, but ∂L/∂{wrt} has the shape of {wrt} "
                f"({want}){agree}")
    return c.message.replace("candidate", "your formula").replace("reference", "the gradient")


def _unbuilt(tree: A.Ast) -> tuple[str, str, str]:
    """A reading whose shapes do not fit is printed from the parse tree itself."""
    from derive.claim.show import tree_forms

    return tree_forms(tree)


def same(a: Reading, b: Reading) -> bool:
    """Two readings that are one value (or one shape problem)."""
    if a.value is None or b.value is None:
        return a.value is None and b.value is None and a.message == b.message
    return a.value.shape == b.value.shape and bool(
        np.allclose(a.value, b.value, rtol=SAME_READING_RTOL, atol=0.0))
